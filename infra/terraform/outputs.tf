output "otlp_http_endpoint" {
  description = "Set OTEL_EXPORTER_OTLP_ENDPOINT to this in your NestJS services (nestjs-tracing appends /v1/traces)."
  value       = "http://${local.otlp_host}:${local.otlp_ports.http}"
}

output "otlp_grpc_endpoint" {
  description = "OTLP gRPC endpoint (host:port) for senders that speak gRPC."
  value       = "${local.otlp_host}:${local.otlp_ports.grpc}"
}

output "collector_service_discovery_name" {
  description = "Cloud Map DNS name of the collector tasks (resolvable inside the VPC)."
  value       = local.collector_dns
}

output "tempo_query_url" {
  description = "URL for a Grafana Tempo data source inside the VPC."
  value       = "http://${local.tempo_dns}:${local.tempo_http_port}"
}

output "ecs_cluster_name" {
  description = "ECS cluster running the collector and Tempo."
  value       = aws_ecs_cluster.this.name
}

output "tempo_efs_file_system_id" {
  description = "EFS file system holding Tempo's WAL and blocks."
  value       = aws_efs_file_system.tempo.id
}

output "config_parameters" {
  description = "SSM parameters holding the collector and Tempo configs."
  value = {
    collector = aws_ssm_parameter.collector_config.name
    tempo     = aws_ssm_parameter.tempo_config.name
  }
}
