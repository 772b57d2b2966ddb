# ECS Fargate services: the collector and Tempo, each registered in Cloud Map.

resource "aws_ecs_task_definition" "collector" {
  family                   = "${var.name}-otel-collector"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.collector_cpu
  memory                   = var.collector_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.collector_task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  container_definitions = jsonencode([
    {
      name      = "otel-collector"
      image     = var.collector_image
      essential = true
      # The collector reads its whole config from an environment variable (the env provider).
      command = ["--config=env:OTELCOL_CONFIG"]
      secrets = [
        { name = "OTELCOL_CONFIG", valueFrom = aws_ssm_parameter.collector_config.arn },
      ]
      environment = [
        { name = "TEMPO_OTLP_ENDPOINT", value = "${local.tempo_dns}:${local.otlp_ports.grpc}" },
        { name = "CONFIG_SHA256", value = sha256(local.collector_config) },
        # Go runtime soft limit a little under the task's memory, next to memory_limiter.
        { name = "GOMEMLIMIT", value = "${floor(var.collector_memory * 0.85)}MiB" },
      ]
      portMappings = [
        { containerPort = local.otlp_ports.grpc, protocol = "tcp" },
        { containerPort = local.otlp_ports.http, protocol = "tcp" },
        { containerPort = local.collector_health, protocol = "tcp" },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.collector.name
          awslogs-region        = var.aws_region
          awslogs-stream-prefix = "otel-collector"
        }
      }
    },
  ])
}

resource "aws_ecs_service" "collector" {
  name             = "otel-collector"
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.collector.arn
  desired_count    = var.collector_desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  health_check_grace_period_seconds = var.create_collector_nlb ? 30 : null

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.collector.id]
    assign_public_ip = false
  }

  service_registries {
    registry_arn = aws_service_discovery_service.collector.arn
  }

  dynamic "load_balancer" {
    for_each = aws_lb_target_group.collector

    content {
      target_group_arn = load_balancer.value.arn
      container_name   = "otel-collector"
      container_port   = load_balancer.value.port
    }
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  depends_on = [aws_lb_listener.collector]
}

resource "aws_ecs_task_definition" "tempo" {
  family                   = "${var.name}-tempo"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.tempo_cpu
  memory                   = var.tempo_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.tempo_task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # Tempo reads its config from a file: a one-shot container writes it from SSM first.
  volume {
    name = "tempo-config"
  }

  volume {
    name = "tempo-data"

    efs_volume_configuration {
      file_system_id     = aws_efs_file_system.tempo.id
      transit_encryption = "ENABLED"

      authorization_config {
        access_point_id = aws_efs_access_point.tempo.id
        iam             = "ENABLED"
      }
    }
  }

  container_definitions = jsonencode([
    {
      name      = "tempo-config"
      image     = var.config_writer_image
      essential = false
      command   = ["sh", "-c", "printf '%s\\n' \"$TEMPO_CONFIG\" > /etc/tempo/tempo.yaml"]
      secrets = [
        { name = "TEMPO_CONFIG", valueFrom = aws_ssm_parameter.tempo_config.arn },
      ]
      environment = [
        { name = "CONFIG_SHA256", value = sha256(local.tempo_config) },
      ]
      mountPoints = [
        { sourceVolume = "tempo-config", containerPath = "/etc/tempo" },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.tempo.name
          awslogs-region        = var.aws_region
          awslogs-stream-prefix = "tempo-config"
        }
      }
    },
    {
      name      = "tempo"
      image     = var.tempo_image
      essential = true
      command   = ["-config.file=/etc/tempo/tempo.yaml"]
      dependsOn = [
        { containerName = "tempo-config", condition = "SUCCESS" },
      ]
      mountPoints = [
        { sourceVolume = "tempo-config", containerPath = "/etc/tempo", readOnly = true },
        { sourceVolume = "tempo-data", containerPath = "/var/tempo" },
      ]
      portMappings = [
        { containerPort = local.tempo_http_port, protocol = "tcp" },
        { containerPort = local.otlp_ports.grpc, protocol = "tcp" },
        { containerPort = local.otlp_ports.http, protocol = "tcp" },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.tempo.name
          awslogs-region        = var.aws_region
          awslogs-stream-prefix = "tempo"
        }
      }
    },
  ])
}

resource "aws_ecs_service" "tempo" {
  name             = "tempo"
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.tempo.arn
  desired_count    = var.tempo_desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  # Stop the old task before starting the new one: two Tempo processes must never write the
  # same EFS directory (a short gap in ingestion; the collector's sending queue retries).
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tempo.id]
    assign_public_ip = false
  }

  service_registries {
    registry_arn = aws_service_discovery_service.tempo.arn
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  depends_on = [aws_efs_mount_target.tempo, aws_iam_role_policy.tempo_efs]
}
