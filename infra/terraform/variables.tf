variable "aws_region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Prefix for every resource name (ECS cluster, roles, log groups, SSM parameters). Short: the NLB name adds '-otlp' and target groups '-otlp-http' (32 characters max)."
  type        = string
  default     = "tracing"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 2-21 characters of lowercase letters, digits and '-', starting with a letter (it prefixes load balancer names, which AWS limits to 32 characters)."
  }
}

variable "vpc_id" {
  description = "VPC to run the collector and Tempo in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the tasks, the EFS mount targets and the internal NLB: one subnet per availability zone (EFS allows one mount target per zone). They need a route to pull images (NAT gateway or VPC endpoints for ECR, SSM and CloudWatch Logs)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 1
    error_message = "Give at least one private subnet id; two or more in different zones keep the collector reachable when a zone fails."
  }
}

variable "allowed_cidr_blocks" {
  description = "CIDR blocks allowed to send OTLP (ports 4317/4318) and to query Tempo (port 3200, for Grafana). Usually the CIDRs of the subnets your services and Grafana run in."
  type        = list(string)

  validation {
    condition     = length(var.allowed_cidr_blocks) > 0 && alltrue([for c in var.allowed_cidr_blocks : can(cidrhost(c, 0))])
    error_message = "allowed_cidr_blocks must be a non-empty list of CIDR blocks such as 10.0.0.0/16."
  }
}

variable "collector_image" {
  description = "OpenTelemetry Collector contrib image, pinned (tail_sampling is only in contrib). Keep it in step with infra/docker-compose.yml."
  type        = string
  default     = "otel/opentelemetry-collector-contrib:0.147.0"

  validation {
    condition     = can(regex(":[A-Za-z0-9._-]+$|@sha256:[0-9a-f]{64}$", var.collector_image)) && !endswith(var.collector_image, ":latest")
    error_message = "Pin collector_image to a version tag or digest (not :latest): config keys change between collector releases."
  }
}

variable "tempo_image" {
  description = "Grafana Tempo image, pinned. Keep it in step with infra/docker-compose.yml."
  type        = string
  default     = "grafana/tempo:2.9.2"

  validation {
    condition     = can(regex(":[A-Za-z0-9._-]+$|@sha256:[0-9a-f]{64}$", var.tempo_image)) && !endswith(var.tempo_image, ":latest")
    error_message = "Pin tempo_image to a version tag or digest (not :latest): Tempo changes config keys and defaults between releases."
  }
}

variable "config_writer_image" {
  description = "Small image with a shell that writes Tempo's config (from SSM) into a volume before Tempo starts; the Tempo image itself is not relied on to have a shell."
  type        = string
  default     = "public.ecr.aws/docker/library/busybox:1.37.0"
}

variable "cpu_architecture" {
  description = "Fargate CPU architecture: X86_64 or ARM64 (both images are multi-arch; ARM64 is cheaper)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "collector_cpu" {
  description = "Collector task CPU units (1024 = one vCPU)."
  type        = number
  default     = 512
}

variable "collector_memory" {
  description = "Collector task memory in MiB. Tail sampling holds up to num_traces traces for decision_wait; memory_limiter refuses data above 80 % of this."
  type        = number
  default     = 1024
}

variable "collector_desired_count" {
  description = "Number of collector tasks: 1, or 0 to stop it. The collector tail-samples, which needs every span of a trace on the same process, so more tasks behind a plain load balancer would split traces."
  type        = number
  default     = 1

  validation {
    condition     = var.collector_desired_count >= 0 && var.collector_desired_count <= 1
    error_message = "collector_desired_count must be 0 or 1: tail sampling needs all spans of a trace on one collector. To scale out, add a tier of collectors with the loadbalancing exporter (routing_key traceID) in front of the sampling collectors; see infra/README.md."
  }
}

variable "tempo_cpu" {
  description = "Tempo task CPU units (1024 = one vCPU)."
  type        = number
  default     = 1024
}

variable "tempo_memory" {
  description = "Tempo task memory in MiB."
  type        = number
  default     = 2048
}

variable "tempo_desired_count" {
  description = "Number of Tempo tasks: 1, or 0 to stop it. Tempo here stores blocks on EFS with the local backend, which allows one writer; scale Tempo on S3 in microservices mode instead (see infra/tempo/tempo.yaml)."
  type        = number
  default     = 1

  validation {
    condition     = var.tempo_desired_count >= 0 && var.tempo_desired_count <= 1
    error_message = "tempo_desired_count must be 0 or 1: two Tempo processes must not share one local-backend directory. For more, move Tempo to S3 storage in microservices mode (infra/README.md)."
  }
}

variable "service_discovery_namespace" {
  description = "Private DNS namespace (Cloud Map) created in the VPC; the collector is otel-collector.<namespace> and Tempo is tempo.<namespace>."
  type        = string
  default     = "tracing.internal"
}

variable "create_collector_nlb" {
  description = "Put an internal Network Load Balancer in front of the collector (stable DNS name, health-checked targets). When false, clients use the Cloud Map name instead."
  type        = bool
  default     = true
}

variable "enable_container_insights" {
  description = "Turn on CloudWatch Container Insights for the ECS cluster (extra CloudWatch cost)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention for the collector and Tempo containers."
  type        = number
  default     = 14
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
