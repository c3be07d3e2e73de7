/** IVS error types exactly as the service names them on the wire (`x-amzn-ErrorType`), with their HTTP status. */
export const IVS_ERRORS = {
  ValidationException: 400,
  ServiceQuotaExceededException: 402,
  AccessDeniedException: 403,
  PendingVerification: 403,
  ResourceNotFoundException: 404,
  ChannelNotBroadcasting: 404,
  ConflictException: 409,
  ThrottlingException: 429,
  InternalServerException: 500,
  ServiceUnavailable: 503,
  StreamUnavailable: 503,
  UnknownOperationException: 404,
} as const;

export type IvsErrorType = keyof typeof IVS_ERRORS;

export class IvsError extends Error {
  readonly status: number;
  constructor(
    readonly type: IvsErrorType,
    message: string,
  ) {
    super(message);
    this.status = IVS_ERRORS[type];
  }
}

export const validation = (message: string) => new IvsError("ValidationException", message);
export const notFound = (arn: string) =>
  new IvsError("ResourceNotFoundException", `Resource: ${arn} not found`);
export const conflict = (message: string) => new IvsError("ConflictException", message);
export const quotaExceeded = (message: string) => new IvsError("ServiceQuotaExceededException", message);
export const notBroadcasting = (channelArn: string) =>
  new IvsError("ChannelNotBroadcasting", `Channel: ${channelArn} is not currently online`);
export const throttled = (operation: string, rate: number, resource: string) =>
  new IvsError(
    "ThrottlingException",
    `Operation: ivs:${operation} exceeded call rate: ${rate} for resource: ${resource}`,
  );
