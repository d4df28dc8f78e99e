//! IAM benchmark: a generated `aws iam get-account-authorization-details` export of
//! ROLES roles (default 10,000) and twice as many managed policies, read by the engine,
//! then every principal judged by the cloud rules (escalation methods, administrator,
//! credentials, exposure, data), next to the time the read takes.
//!
//! Run: `cargo run --release -p portolan-engine --example bench_iam [ROLES]`.
//! Reports the median of several runs of each, measured in the same process. With
//! `PORTOLAN_BENCH_FINDINGS=PATH` the findings are also written there as JSON (to
//! compare two versions of the evaluator). With `PORTOLAN_BENCH_EXPORT=PATH` the export
//! is written there as the AWS CLI prints it (JSON indented by four spaces), to time a
//! whole `portolan analyze PATH` on it.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use portolan_engine::ingest::{parse_file, InputFile};
use portolan_engine::model::Inventory;
use portolan_engine::rules::{self, RuleOptions};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

/// Action sets the generated policies draw from: harmless reads, data, escalation
/// ingredients, wildcards.
const ACTIONS: &[&str] = &[
    r#"["s3:ListBucket", "s3:GetObject"]"#,
    r#"["ec2:Describe*", "eks:DescribeCluster"]"#,
    r#"["iam:PassRole", "ec2:RunInstances"]"#,
    r#"["lambda:UpdateFunctionCode", "logs:*"]"#,
    r#"["secretsmanager:GetSecretValue", "kms:Decrypt"]"#,
    r#"["dynamodb:GetItem", "dynamodb:Query", "sqs:SendMessage"]"#,
    r#""iam:CreatePolicyVersion""#,
    r#"["ssm:GetParameter*", "cloudwatch:PutMetricData"]"#,
];

fn export(roles: usize) -> String {
    let policies = roles * 2;
    let mut out =
        String::from(r#"{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": ["#);
    for r in 0..roles {
        if r > 0 {
            out.push(',');
        }
        let service = ["ec2", "lambda", "ecs-tasks", "glue"][r % 4];
        let profiles = if r % 4 == 0 {
            format!(
                r#"{{"InstanceProfileName": "role-{r}", "Arn": "arn:aws:iam::111122223333:instance-profile/role-{r}"}}"#
            )
        } else {
            String::new()
        };
        let _ = write!(
            out,
            r#"{{"Path": "/", "RoleName": "role-{r}", "RoleId": "AROA{r:016}", "Arn": "arn:aws:iam::111122223333:role/role-{r}",
            "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Service": "{service}.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}},
            "InstanceProfileList": [{profiles}],
            "RolePolicyList": [{{"PolicyName": "inline", "PolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": {}, "Resource": "arn:aws:s3:::bucket-{r}/*"}}]}}}}],
            "AttachedManagedPolicies": [{{"PolicyName": "p-{a}", "PolicyArn": "arn:aws:iam::111122223333:policy/p-{a}"}}, {{"PolicyName": "p-{b}", "PolicyArn": "arn:aws:iam::111122223333:policy/p-{b}"}}]}}"#,
            ACTIONS[r % ACTIONS.len()],
            a = (r * 2) % policies,
            b = (r * 7 + 1) % policies,
        );
    }
    out.push_str(r#"], "Policies": ["#);
    for p in 0..policies {
        if p > 0 {
            out.push(',');
        }
        let resource = if p % 3 == 0 {
            "*".to_string()
        } else {
            format!("arn:aws:iam::111122223333:role/role-{}", p % roles)
        };
        let _ = write!(
            out,
            r#"{{"PolicyName": "p-{p}", "PolicyId": "ANPA{p:016}", "Arn": "arn:aws:iam::111122223333:policy/p-{p}", "Path": "/",
            "DefaultVersionId": "v2", "AttachmentCount": 1, "IsAttachable": true, "PolicyVersionList": [
              {{"Document": {{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "*", "Resource": "*"}}}}, "VersionId": "v1", "IsDefaultVersion": false}},
              {{"Document": {{"Version": "2012-10-17", "Statement": [{{"Sid": "S{p}", "Effect": "Allow", "Action": {}, "Resource": "{resource}"}}, {{"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}}]}}, "VersionId": "v2", "IsDefaultVersion": true}}]}}"#,
            ACTIONS[(p * 3) % ACTIONS.len()],
        );
    }
    out.push_str("]}");
    out
}

fn main() {
    let roles: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let text = export(roles);
    let bytes = text.into_bytes();
    let read = || {
        let parsed = parse_file(&InputFile::new("iam.json", bytes.clone()));
        let mut inv = Inventory::default();
        inv.extend(parsed.objects, None);
        inv.finish();
        inv
    };
    let inv = read();
    let export = &inv.aws_iam[0];
    let (findings, _) = rules::evaluate(&inv, &RuleOptions::default());
    println!(
        "export: {} roles, {} managed policies, {:.1} MB; {} findings",
        export.roles.len(),
        export.policies.len(),
        bytes.len() as f64 / 1e6,
        findings.len()
    );
    if let Ok(path) = std::env::var("PORTOLAN_BENCH_EXPORT") {
        use serde::Serialize as _;
        let value: serde_json::Value = serde_json::from_slice(&bytes).expect("the export is JSON");
        let mut pretty = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut serializer = serde_json::Serializer::with_formatter(&mut pretty, formatter);
        value.serialize(&mut serializer).expect("export serialises");
        pretty.push(b'\n');
        std::fs::write(&path, &pretty).expect("export file written");
        println!("wrote {path}: {} bytes", pretty.len());
    }
    if let Ok(path) = std::env::var("PORTOLAN_BENCH_FINDINGS") {
        let json = serde_json::to_string_pretty(&findings).expect("findings serialise");
        std::fs::write(&path, json).expect("findings file written");
    }
    let parse = time(5, read);
    let evaluate = time(5, || rules::evaluate(&inv, &RuleOptions::default()));
    println!("read (parse, detect, model): {parse:?}");
    println!("evaluate (every rule, every principal): {evaluate:?}");
    println!(
        "evaluate / read: {:.2}",
        evaluate.as_secs_f64() / parse.as_secs_f64()
    );
}
