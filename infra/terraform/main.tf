# Tempo and the OpenTelemetry Collector on ECS Fargate.
#
#   app --OTLP--> internal NLB (or otel-collector.<namespace>) --> collector (tail sampling)
#       --OTLP gRPC--> tempo.<namespace>:4317 --> Tempo (blocks + WAL on EFS)
#   Grafana --HTTP--> tempo.<namespace>:3200
#
# The collector and Tempo read the SAME config files as docker compose (../otel-collector,
# ../tempo). They travel as SSM parameters (ssm.tf); see ../README.md for why.

data "aws_partition" "current" {}

locals {
  collector_config = file("${path.module}/../otel-collector/config.yaml")
  tempo_config     = file("${path.module}/../tempo/tempo.yaml")

  # Ports, as set in the two config files above.
  otlp_ports       = { grpc = 4317, http = 4318 }
  collector_health = 13133
  tempo_http_port  = 3200

  collector_dns = "otel-collector.${var.service_discovery_namespace}"
  tempo_dns     = "tempo.${var.service_discovery_namespace}"

  # What applications should send to.
  otlp_host = var.create_collector_nlb ? aws_lb.collector[0].dns_name : local.collector_dns
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = var.enable_container_insights ? "enabled" : "disabled"
  }
}

resource "aws_cloudwatch_log_group" "collector" {
  name              = "/ecs/${var.name}/otel-collector"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_group" "tempo" {
  name              = "/ecs/${var.name}/tempo"
  retention_in_days = var.log_retention_days
}
