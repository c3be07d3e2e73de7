import { graphql } from "../graphql.ts";

export const recordingConfiguration = graphql`
  fragment RecordingBadge_recordingConfiguration on RecordingConfiguration {
    name
    state
  }
`;
