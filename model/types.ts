/** The subset of a botocore service model the emulator needs (see scripts/gen-emulator-model.ts). */
export interface MemberDef {
  shape: string;
  location?: "uri" | "querystring" | "header" | "headers";
  locationName?: string;
}

export interface ShapeDef {
  type:
    | "structure"
    | "string"
    | "list"
    | "map"
    | "integer"
    | "long"
    | "boolean"
    | "timestamp"
    | "float"
    | "double"
    | "blob";
  required?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  timestampFormat?: string;
  error?: { httpStatusCode: number; senderFault?: boolean };
  exception?: boolean;
  fault?: boolean;
  member?: string;
  key?: string;
  value?: string;
  members?: Record<string, MemberDef>;
}

export interface OperationDef {
  method: "GET" | "POST" | "DELETE" | "PUT";
  uri: string;
  status: number;
  input?: string;
  output?: string;
  errors: string[];
}

export interface ServiceModel {
  operations: Record<string, OperationDef>;
  shapes: Record<string, ShapeDef>;
}
