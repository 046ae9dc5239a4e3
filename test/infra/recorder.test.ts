import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  logicalId,
  Match,
  SYNTH_TIMEOUT,
  type Synthesized,
  statementsOfRole,
  statementsWithAction,
  synth,
} from './helpers.js';

describe('recorder on Fargate', () => {
  let s: Synthesized;
  let arm: Synthesized;
  beforeAll(() => {
    s = synth({ allowedMeetingOrigins: 'meet.example.com' });
    arm = synth({ recorderArchitecture: 'ARM64', recorderCpu: 2048, recorderMemoryMiB: 4096 });
  }, SYNTH_TIMEOUT);

  const taskRoleStatements = (x: Synthesized) =>
    statementsOfRole(
      x.assertions,
      logicalId(x.assertions, 'AWS::IAM::Role', 'RecorderTaskDefinitionTaskRole'),
    );

  it('runs a Fargate task with the configured CPU, memory and architecture', () => {
    s.assertions.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '1024',
      Memory: '2048',
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    });
    arm.assertions.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '2048',
      Memory: '4096',
      RuntimePlatform: { CpuArchitecture: 'ARM64' },
    });
  });

  it('gives the container 120 s to finalise after SIGTERM, and awslogs', () => {
    s.assertions.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'recorder',
          Essential: true,
          StopTimeout: 120,
          LogConfiguration: {
            LogDriver: 'awslogs',
            Options: Match.objectLike({
              'awslogs-group': { Ref: logicalId(s.assertions, 'AWS::Logs::LogGroup', 'RecorderLogs') },
            }),
          },
          Environment: Match.arrayWith([
            Match.objectLike({ Name: 'BUCKET_NAME' }),
            Match.objectLike({ Name: 'TABLE_NAME' }),
            { Name: 'ALLOWED_MEETING_ORIGINS', Value: 'meet.example.com' },
            { Name: 'MAX_DURATION_SECONDS', Value: '3600' },
          ]),
        }),
      ],
    });
  });

  it('task role: writes (and reads back) recordings/* only, nothing under other prefixes, no listing', () => {
    const statements = taskRoleStatements(s);
    expect(actionsOf(statements)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:ListMultipartUploadParts',
      's3:PutObject',
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
    ]);
    for (const statement of statements.filter((st) => JSON.stringify(st.Action).includes('s3:'))) {
      expect(statement.Resource).toEqual({
        'Fn::Join': [
          '',
          [
            { 'Fn::GetAtt': [logicalId(s.assertions, 'AWS::S3::Bucket', 'Recordings'), 'Arn'] },
            '/recordings/*',
          ],
        ],
      });
    }
    expect(actionsOf(statements)).not.toContain('s3:ListBucket');
    expect(actionsOf(statements)).not.toContain('s3:DeleteObject');
  });

  it("task role: updates recording items only, and answers only this workflow's task tokens", () => {
    const statements = taskRoleStatements(s);
    expect(statementsWithAction(statements, 'dynamodb:UpdateItem')[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REC#*'] },
    });
    expect(statementsWithAction(statements, 'states:SendTaskSuccess')[0]?.Resource).toEqual({
      Ref: logicalId(s.assertions, 'AWS::StepFunctions::StateMachine', 'WorkflowStateMachine'),
    });
    expect(statementsWithAction(statements, 'kms:GenerateDataKey')[0]?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': expect.anything() },
    });
  });

  it('security group: HTTPS and WebRTC media (UDP, unprivileged ports) out only, nothing in', () => {
    s.assertions.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Recorder tasks: HTTPS and WebRTC media (UDP) out only, nothing in',
      SecurityGroupEgress: [
        { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() },
        {
          CidrIp: '0.0.0.0/0',
          IpProtocol: 'udp',
          FromPort: 1024,
          ToPort: 65535,
          Description: Match.anyValue(),
        },
      ],
    });
    const sg = Object.values(s.assertions.findResources('AWS::EC2::SecurityGroup'))[0]?.Properties as Record<
      string,
      unknown
    >;
    expect(sg.SecurityGroupIngress).toBeUndefined();
    s.assertions.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  it(
    'security group without WebRTC over UDP: HTTPS out only',
    () => {
      const closed = synth({ recorderWebRtcUdp: 'false' });
      closed.assertions.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: 'Recorder tasks: HTTPS out only, nothing in',
        SecurityGroupEgress: [
          {
            CidrIp: '0.0.0.0/0',
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            Description: Match.anyValue(),
          },
        ],
      });
    },
    SYNTH_TIMEOUT,
  );

  it('new VPC: public subnets only, no NAT gateway, rejected traffic logged; tasks get a public IP', () => {
    s.assertions.resourceCountIs('AWS::EC2::NatGateway', 0);
    s.assertions.resourceCountIs('AWS::EC2::Subnet', 2);
    s.assertions.hasResourceProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: true });
    s.assertions.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
    expect(JSON.stringify(s.stateMachineDefinition.States.RunRecorder)).toContain(
      '"AssignPublicIp":"ENABLED"',
    );
  });

  it(
    'a prebuilt image in ECR is pulled with rights on that repository only',
    () => {
      const ecr = synth({
        recorderImage: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/recorder@sha256:${'a'.repeat(64)}`,
      });
      const statements = statementsOfRole(
        ecr.assertions,
        logicalId(ecr.assertions, 'AWS::IAM::Role', 'RecorderTaskDefinitionExecutionRole'),
      );
      const pull = statements.find((st) => JSON.stringify(st.Action).includes('ecr:BatchGetImage'));
      expect(JSON.stringify(pull?.Resource)).toContain(':ecr:eu-west-1:123456789012:repository/recorder');
      const taskDefinition = Object.values(ecr.assertions.findResources('AWS::ECS::TaskDefinition'))[0];
      expect(JSON.stringify(taskDefinition?.Properties)).toMatch(
        /123456789012\.dkr\.ecr\.eu-west-1\.[^/]*\/recorder@sha256:a{64}/,
      );
    },
    SYNTH_TIMEOUT,
  );

  it('cluster with Container Insights', () => {
    s.assertions.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });
});
