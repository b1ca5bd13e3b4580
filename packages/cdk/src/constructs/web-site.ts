import type { WebRuntimeConfig } from "@serverless-openclaw/shared";
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import {
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, CacheControl, Source } from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";

export interface WebSiteProps {
  readonly region: string;
  readonly logRetention: RetentionDays;
}

/**
 * Content-Security-Policy of the SPA. The API origins are allowed by their regional wildcard: naming
 * the exact API ids here would make CloudFront depend on the APIs while the HTTP API's CORS rule
 * depends on CloudFront's domain, a cycle.
 */
export function contentSecurityPolicy(region: string): string {
  const connect = [
    "'self'",
    `https://cognito-idp.${region}.amazonaws.com`,
    `https://*.execute-api.${region}.amazonaws.com`,
    `wss://*.execute-api.${region}.amazonaws.com`,
  ];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connect.join(" ")}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Private S3 bucket behind CloudFront (origin access control), SPA routing, security headers. */
export class WebSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  private readonly props: WebSiteProps;

  constructor(scope: Construct, id: string, props: WebSiteProps) {
    super(scope, id);
    this.props = props;
    // The site is a build output: always removable (the deployments below empty it on delete).
    this.bucket = new Bucket(this, "Bucket", {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason: "Holds only the public build of the web app, served through CloudFront; nothing to audit.",
    });

    const headers = new ResponseHeadersPolicy(this, "SecurityHeaders", {
      comment: "serverless-openclaw web: CSP and security headers",
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.region), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
    });

    this.distribution = new Distribution(this, "Distribution", {
      comment: "serverless-openclaw web chat",
      defaultRootObject: "index.html",
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        compress: true,
      },
      // Client-side routes (/chat/…) are not objects: serve the app and let it route.
      errorResponses: [
        {
          httpStatus: 403,
          responseHttpStatus: 200,
          responsePagePath: "/index.html",
          ttl: Duration.seconds(0),
        },
        {
          httpStatus: 404,
          responseHttpStatus: 200,
          responsePagePath: "/index.html",
          ttl: Duration.seconds(0),
        },
      ],
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: "AwsSolutions-CFR1",
        reason: "A personal agent's owner may travel; the app requires sign-in, geo blocking adds nothing.",
      },
      {
        id: "AwsSolutions-CFR2",
        reason:
          "AWS WAF bills a monthly fee per web ACL even while idle; the site is static and the APIs require sign-in.",
      },
      {
        id: "AwsSolutions-CFR3",
        reason:
          "Access logs would need a logging bucket with ACLs; the site is static and the APIs log their calls.",
      },
      {
        id: "AwsSolutions-CFR4",
        reason:
          "The default *.cloudfront.net certificate fixes the minimum TLS policy; a custom domain with its " +
          "own certificate (TLSv1.2_2021) is an optional step in docs/deployment.md.",
      },
    );
  }

  /** The site's origin, e.g. `https://d111111abcdef8.cloudfront.net`. */
  get origin(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  /**
   * Uploads the built app and `/config.json`. Hashed assets are cached for a year; index.html and
   * config.json are revalidated on every load so a deploy takes effect at once.
   */
  deploy(assetDir: string, config: WebRuntimeConfig): void {
    const logGroup = new LogGroup(this, "DeploymentLogs", {
      retention: this.props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const entryFiles = ["index.html", "config.json"];
    const assets = new BucketDeployment(this, "DeployAssets", {
      sources: [Source.asset(assetDir)],
      destinationBucket: this.bucket,
      exclude: entryFiles,
      prune: true,
      retainOnDelete: false,
      cacheControl: [CacheControl.fromString("public, max-age=31536000, immutable")],
      logGroup,
      memoryLimit: 256,
    });
    const entry = new BucketDeployment(this, "DeployEntry", {
      sources: [Source.asset(assetDir), Source.jsonData("config.json", config)],
      destinationBucket: this.bucket,
      exclude: ["*"],
      include: entryFiles,
      prune: false,
      retainOnDelete: false,
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ["/*"],
      logGroup,
      memoryLimit: 256,
    });
    // index.html must not point at assets that are not uploaded yet.
    entry.node.addDependency(assets);
  }
}
