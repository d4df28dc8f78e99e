//! S3 access settings: `aws s3api get-bucket-policy --bucket NAME` (`{"Policy": "..."}`,
//! the policy a JSON string) and `aws s3api get-public-access-block --bucket NAME` /
//! `aws s3control get-public-access-block --account-id ID`
//! (`{"PublicAccessBlockConfiguration": {...}}`), into [`AwsS3`].
//!
//! Detected by content in [`super::json`]: an object whose only key is `Policy` with a
//! string value, or `PublicAccessBlockConfiguration`. A bucket policy names its bucket
//! in its `Resource`s (`arn:aws:s3:::NAME`, `arn:aws:s3:::NAME/*`); the file name is
//! the fallback. A Block Public Access file does not say whose it is: the file name
//! does, as `public/collect.sh` writes it (`aws/s3/NAME.public-access-block.json` for a
//! bucket, `aws/s3/ACCOUNT.public-access-block.json`, twelve digits, for the account).

use serde_json::Value;

use crate::model::cloud::{AwsBucket, AwsS3, PublicAccessBlock};

/// The bucket, account or organization target a file names: its name less `.json` and
/// the suffix `collect.sh` gives it.
pub(super) fn named(path: &str, suffixes: &[&str]) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let mut stem = file.strip_suffix(".json").unwrap_or(file);
    for s in suffixes {
        if let Some(rest) = stem.strip_suffix(s) {
            stem = rest;
            break;
        }
    }
    stem.to_string()
}

/// `get-bucket-policy` output: `policy` is the `Policy` string.
pub(super) fn bucket_policy(path: &str, policy: &Value) -> Result<AwsS3, String> {
    let document =
        super::aws_iam::document(Some(policy)).map_err(|e| format!("the bucket policy {e}"))?;
    let from_resources = document
        .statements
        .iter()
        .flat_map(|s| &s.resources)
        .find_map(|r| r.strip_prefix("arn:aws:s3:::"))
        .map(|r| r.split('/').next().unwrap_or(r).to_string())
        .filter(|b| !b.is_empty() && !b.contains(['*', '?']));
    let name = from_resources.unwrap_or_else(|| named(path, &[".bucket-policy", ".policy"]));
    Ok(AwsS3 {
        buckets: vec![AwsBucket {
            name,
            policy: Some(document),
            ..AwsBucket::default()
        }],
        account_block: None,
    })
}

/// `get-public-access-block` output: `config` is `PublicAccessBlockConfiguration`.
pub(super) fn public_access_block(path: &str, config: &Value) -> Result<AwsS3, String> {
    let Value::Object(m) = config else {
        return Err("`PublicAccessBlockConfiguration` is not an object".into());
    };
    let on = |k: &str| m.get(k).and_then(Value::as_bool) == Some(true);
    let block = PublicAccessBlock {
        block_public_acls: on("BlockPublicAcls"),
        ignore_public_acls: on("IgnorePublicAcls"),
        block_public_policy: on("BlockPublicPolicy"),
        restrict_public_buckets: on("RestrictPublicBuckets"),
    };
    let name = named(path, &[".public-access-block", ".block-public-access"]);
    if name.len() == 12 && name.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(AwsS3 {
            buckets: Vec::new(),
            account_block: Some(block),
        });
    }
    if name.is_empty() {
        return Err("the file name must say whose settings these are \
                    (BUCKET.public-access-block.json, or ACCOUNT.public-access-block.json)"
            .into());
    }
    Ok(AwsS3 {
        buckets: vec![AwsBucket {
            name,
            block: Some(block),
            ..AwsBucket::default()
        }],
        account_block: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_its_bucket_and_the_file_name_is_the_fallback() {
        let policy = Value::String(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site-assets/*"}]}"#.into(),
        );
        let s3 = bucket_policy("aws/s3/whatever.bucket-policy.json", &policy).unwrap();
        assert_eq!(s3.buckets[0].name, "site-assets");
        let policy = Value::String(
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}"#.into(),
        );
        let s3 = bucket_policy("aws/s3/logs.bucket-policy.json", &policy).unwrap();
        assert_eq!(s3.buckets[0].name, "logs");
        let err = bucket_policy("p.json", &Value::String("{\"Version\": 1}".into())).unwrap_err();
        assert!(err.contains("has no Statement"), "{err}");
    }

    #[test]
    fn block_public_access_by_bucket_or_account() {
        let config: Value = serde_json::from_str(
            r#"{"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": false, "RestrictPublicBuckets": true}"#,
        )
        .unwrap();
        let bucket = public_access_block("aws/s3/logs.public-access-block.json", &config).unwrap();
        assert_eq!(bucket.buckets[0].name, "logs");
        let block = bucket.buckets[0].block.unwrap();
        assert!(block.restrict_public_buckets && !block.block_public_policy);
        let account =
            public_access_block("aws/s3/111122223333.public-access-block.json", &config).unwrap();
        assert!(account.buckets.is_empty() && account.account_block.is_some());
        assert!(public_access_block(".json", &config).is_err());
        assert!(public_access_block("x.json", &Value::Bool(true)).is_err());
    }
}
