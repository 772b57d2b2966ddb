# Roles only: no access keys anywhere. ECS assumes these for the tasks.

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# Execution role: used by the ECS agent to pull images, write logs and read the two configs.
resource "aws_iam_role" "execution" {
  name               = "${var.name}-ecs-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "read_configs" {
  statement {
    actions   = ["ssm:GetParameters"]
    resources = [aws_ssm_parameter.collector_config.arn, aws_ssm_parameter.tempo_config.arn]
  }
}

resource "aws_iam_role_policy" "read_configs" {
  name   = "read-tracing-configs"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.read_configs.json
}

# Collector task role: needs no AWS API today; a role of its own keeps it that way and is the
# place to grant e.g. an AWS exporter later.
resource "aws_iam_role" "collector_task" {
  name               = "${var.name}-otel-collector-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

# Tempo task role: mount and write its EFS access point (IAM authorization is on).
# With S3 storage in production, grant s3:GetObject/PutObject/DeleteObject/ListBucket here.
resource "aws_iam_role" "tempo_task" {
  name               = "${var.name}-tempo-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "tempo_efs" {
  statement {
    actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    resources = [aws_efs_file_system.tempo.arn]

    condition {
      test     = "StringEquals"
      variable = "elasticfilesystem:AccessPointArn"
      values   = [aws_efs_access_point.tempo.arn]
    }
  }
}

resource "aws_iam_role_policy" "tempo_efs" {
  name   = "tempo-efs"
  role   = aws_iam_role.tempo_task.id
  policy = data.aws_iam_policy_document.tempo_efs.json
}
