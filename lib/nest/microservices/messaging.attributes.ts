// Attribute names from the OpenTelemetry semantic conventions for messaging and RPC spans
// (https://opentelemetry.io/docs/specs/semconv/messaging/messaging-spans/,
//  https://opentelemetry.io/docs/specs/semconv/rpc/rpc-spans/).
export const MESSAGING_SYSTEM = 'messaging.system';
export const MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const MESSAGING_DESTINATION_TEMPLATE = 'messaging.destination.template';
export const MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const MESSAGING_CONVERSATION_ID = 'messaging.message.conversation_id';
export const RPC_SYSTEM = 'rpc.system';
export const RPC_SERVICE = 'rpc.service';
export const RPC_METHOD = 'rpc.method';
export const RPC_GRPC_STATUS_CODE = 'rpc.grpc.status_code';
export const ERROR_TYPE = 'error.type';

/** `messaging.operation.type` values. */
export const OPERATION_SEND = 'send';
export const OPERATION_PROCESS = 'process';
