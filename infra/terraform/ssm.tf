# The config files go to the tasks as SSM parameters, read by ECS at task start through the
# task definition's `secrets` (the execution role may read exactly these two parameters).
# Plain `String` parameters: the configs hold no secrets. Each container also gets the config's
# sha256 as an environment variable, so editing a config file yields a new task definition
# revision and ECS rolls the service; otherwise a changed parameter would only be picked up by
# whichever task happened to start next.

resource "aws_ssm_parameter" "collector_config" {
  name        = "/${var.name}/otel-collector/config.yaml"
  description = "OpenTelemetry Collector config (infra/otel-collector/config.yaml)"
  type        = "String"
  tier        = length(local.collector_config) > 4096 ? "Advanced" : "Standard"
  value       = local.collector_config
}

resource "aws_ssm_parameter" "tempo_config" {
  name        = "/${var.name}/tempo/tempo.yaml"
  description = "Grafana Tempo config (infra/tempo/tempo.yaml)"
  type        = "String"
  tier        = length(local.tempo_config) > 4096 ? "Advanced" : "Standard"
  value       = local.tempo_config
}
