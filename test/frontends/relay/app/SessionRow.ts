import { graphql } from "../graphql.ts";

export const session = graphql`
  fragment SessionRow_session on StreamSession {
    streamId
    startTime
    endTime
    recordingConfiguration {
      ...RecordingBadge_recordingConfiguration
    }
  }
`;
