# Tempo's WAL and blocks (local backend) live on EFS, so a replaced task finds its traces.
# One writer only: see var.tempo_desired_count and the deployment settings in ecs.tf.

resource "aws_efs_file_system" "tempo" {
  encrypted        = true
  performance_mode = "generalPurpose"
  throughput_mode  = "elastic"

  lifecycle_policy {
    transition_to_ia = "AFTER_30_DAYS"
  }

  tags = {
    Name = "${var.name}-tempo"
  }
}

resource "aws_efs_mount_target" "tempo" {
  for_each = toset(var.private_subnet_ids)

  file_system_id  = aws_efs_file_system.tempo.id
  subnet_id       = each.value
  security_groups = [aws_security_group.efs.id]
}

# Tempo's image runs as uid/gid 10001; the access point creates its root owned by that user.
resource "aws_efs_access_point" "tempo" {
  file_system_id = aws_efs_file_system.tempo.id

  posix_user {
    uid = 10001
    gid = 10001
  }

  root_directory {
    path = "/tempo"

    creation_info {
      owner_uid   = 10001
      owner_gid   = 10001
      permissions = "0750"
    }
  }
}

# TLS in transit only; access through IAM (the Tempo task role) only.
data "aws_iam_policy_document" "efs" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["*"]
    resources = [aws_efs_file_system.tempo.arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "TempoTaskOnly"
    actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    resources = [aws_efs_file_system.tempo.arn]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.tempo_task.arn]
    }
  }
}

resource "aws_efs_file_system_policy" "tempo" {
  file_system_id = aws_efs_file_system.tempo.id
  policy         = data.aws_iam_policy_document.efs.json
}
