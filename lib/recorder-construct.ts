import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { RecordingConfig } from './config.js';
import { REPO_ROOT } from './lambda-function.js';
import { acknowledgeWildcard, acknowledgeWildcardResource } from './nag.js';
import { RECORDINGS_PREFIX } from './storage-construct.js';

export const RECORDER_CONTAINER_NAME = 'recorder';
/** Fargate's maximum: the recorder's finalise path (flush, complete the upload, report) runs inside it. */
export const RECORDER_STOP_TIMEOUT = Duration.seconds(120);

/** Paths of the repository that never belong in the recorder's build context. */
export const RECORDER_IMAGE_EXCLUDES = [
  '**/node_modules',
  'cdk.out',
  '**/cdk.out',
  '.local',
  '.git',
  '.cdk.staging',
  'bench/results',
  'coverage',
  '**/*.log',
  // CDK re-includes only a root-level `Dockerfile`; ours is in a subdirectory, and the repository's
  // .dockerignore (`*` then the build inputs) would otherwise leave it out of the staged context.
  '!recorder-container/Dockerfile',
];

export interface RecorderConstructProps {
  readonly config: RecordingConfig;
  readonly bucket: s3.IBucket;
  readonly bucketKey: kms.IKey;
  readonly table: dynamodb.ITable;
  readonly logRetention: logs.RetentionDays;
  /** @default - built from recorder-container/Dockerfile with the repository as its context */
  readonly image?: ecs.ContainerImage;
}

/**
 * Where the recorder runs: a VPC (new, public subnets only, no NAT; or an existing one), an ECS cluster,
 * and the Fargate task definition of the recorder container. Its role may write recordings, update
 * recording items and answer its own task token; nothing else.
 */
export class RecorderConstruct extends Construct {
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly securityGroup: ec2.SecurityGroup;
  readonly subnets: ec2.SubnetSelection;
  /** Tasks in public subnets need a public IP to reach the internet (there is no NAT). */
  readonly assignPublicIp: boolean;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: RecorderConstructProps) {
    super(scope, id);
    const { config } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.assignPublicIp = config.recorderSubnetType === 'public';
    this.subnets = {
      subnetType: this.assignPublicIp ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS,
    };
    this.vpc = config.vpcId ? ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: config.vpcId }) : this.newVpc(props);

    // Tasks get a public IP and reach the internet directly; they accept no inbound traffic at all.
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: config.recorderWebRtcUdp
        ? 'Recorder tasks: HTTPS and WebRTC media (UDP) out only, nothing in'
        : 'Recorder tasks: HTTPS out only, nothing in',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to the meeting and AWS APIs',
    );
    if (config.recorderWebRtcUdp) {
      // STUN/TURN (3478) and media on the unprivileged ports meeting servers use; replies come back through
      // the security group's connection tracking, so nothing is open inbound. Not UDP 443: QUIC would be
      // a way around the egress guard (Chromium also runs with --disable-quic).
      this.securityGroup.addEgressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.udpRange(1024, 65535),
        'STUN/TURN and WebRTC media of the meeting',
      );
    }

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy });

    const arm = config.recorderArchitecture === 'ARM64';
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: config.recorderCpu,
      memoryLimitMiB: config.recorderMemoryMiB,
      runtimePlatform: {
        cpuArchitecture: arm ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });

    const image = props.image ?? this.recorderImage(config);
    this.container = this.taskDefinition.addContainer(RECORDER_CONTAINER_NAME, {
      image,
      essential: true,
      stopTimeout: RECORDER_STOP_TIMEOUT,
      logging: ecs.LogDriver.awsLogs({ logGroup: this.logGroup, streamPrefix: 'recorder' }),
      // Deployment-wide settings; what one recording needs comes as RunTask overrides from the workflow.
      environment: {
        BUCKET_NAME: props.bucket.bucketName,
        TABLE_NAME: props.table.tableName,
        ALLOWED_MEETING_ORIGINS: config.allowedMeetingOrigins.join(','),
        MAX_DURATION_SECONDS: String(config.maxDurationSeconds),
      },
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds only names and settings (bucket, table, allowed origins, duration cap); ' +
        'the recorder has no secrets, its AWS credentials come from the task role.',
    });

    if (image instanceof ecs.AssetImage || image instanceof ecs.EcrImage) {
      acknowledgeWildcard(
        this.taskDefinition.obtainExecutionRole(),
        'Resource::*',
        'Added by CDK to pull the image from ECR: ecr:GetAuthorizationToken supports no resource-level permissions.',
      );
    }

    this.grantRecorderAccess(props);
  }

  /** The configured prebuilt image (pulled with the execution role when it is in ECR), else the Dockerfile's. */
  private recorderImage(config: RecordingConfig): ecs.ContainerImage {
    if (!config.recorderImage) {
      return ecs.ContainerImage.fromAsset(REPO_ROOT, {
        file: 'recorder-container/Dockerfile',
        exclude: RECORDER_IMAGE_EXCLUDES,
        platform: config.recorderArchitecture === 'ARM64' ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
      });
    }
    const ecrImage =
      /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([\w][\w.-]*)|@(sha256:[0-9a-f]{64}))?$/.exec(
        config.recorderImage,
      );
    if (!ecrImage) return ecs.ContainerImage.fromRegistry(config.recorderImage);
    const [, account, region, repositoryName, tag, digest] = ecrImage;
    const repository = ecr.Repository.fromRepositoryAttributes(this, 'ImageRepository', {
      repositoryName: repositoryName ?? '',
      repositoryArn: `arn:${Aws.PARTITION}:ecr:${region}:${account}:repository/${repositoryName}`,
    });
    return ecs.ContainerImage.fromEcrRepository(repository, digest ?? tag ?? 'latest');
  }

  /** Lets the recorder answer the workflow's task token (success, failure, heartbeat). */
  allowTaskResponses(stateMachine: sfn.IStateMachine): void {
    this.taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resources: [stateMachine.stateMachineArn],
      }),
    );
  }

  private grantRecorderAccess(props: RecorderConstructProps): void {
    const role = this.taskDefinition.taskRole;
    // Streams its file as a multipart upload, then reads it back once to probe codecs and resolution for
    // its report. Keys are chosen per recording at run time, so the grant is the recordings/ prefix.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'UploadRecordings',
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:GetObject'],
        resources: [props.bucket.arnForObjects(`${RECORDINGS_PREFIX}*`)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptRecordings',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.bucketKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReportOnRecordingItems',
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REC#*'] } },
      }),
    );
    acknowledgeWildcardResource(
      role,
      props.bucket.arnForObjects(`${RECORDINGS_PREFIX}*`),
      'Each task writes (and probes) one object whose key is chosen per recording at run time; the role is ' +
        'limited to the recordings/ prefix.',
    );
  }

  private newVpc(props: RecorderConstructProps): ec2.Vpc {
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.logRetention,
      removalPolicy: props.config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    return new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      flowLogs: {
        rejected: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });
  }
}
