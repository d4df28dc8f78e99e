//! Storage rules: how the volumes a StorageClass provisions are encrypted at rest,
//! from the provisioner's parameters.
//!
//! The providers differ: AWS EBS volumes are encrypted only when the class says
//! `encrypted: "true"` (or the account turns on EBS encryption by default, which a
//! cluster snapshot cannot show); Azure managed disks and Google persistent disks are
//! always encrypted at rest with the provider's keys, and a customer-managed key is a
//! parameter (`diskEncryptionSetID`, `disk-encryption-kms-key`), as is one for EBS
//! (`kmsKeyId`). Other provisioners are not judged.

use super::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};
use crate::model::cluster::StorageClass;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[&STORAGE_CLASS_UNENCRYPTED, &STORAGE_CLASS_CUSTOMER_KEY];

/// The cloud disk provisioners these rules know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CloudDisk {
    AwsEbs,
    AzureDisk,
    GcePd,
}

fn disk(provisioner: &str) -> Option<CloudDisk> {
    match provisioner {
        "ebs.csi.aws.com" | "kubernetes.io/aws-ebs" => Some(CloudDisk::AwsEbs),
        "disk.csi.azure.com" | "kubernetes.io/azure-disk" => Some(CloudDisk::AzureDisk),
        "pd.csi.storage.gke.io" | "kubernetes.io/gce-pd" => Some(CloudDisk::GcePd),
        _ => None,
    }
}

fn param<'a>(c: &'a StorageClass, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| c.parameters.get(*k))
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

fn class_ref(c: &StorageClass) -> ResourceRef {
    ResourceRef {
        kind: "StorageClass".into(),
        namespace: String::new(),
        name: c.metadata.name.clone(),
        cluster: String::new(),
    }
}

pub static STORAGE_CLASS_UNENCRYPTED: Rule = Rule {
    info: RuleInfo {
        id: "storageClassUnencrypted",
        title: "Storage classes should provision encrypted volumes",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: &["StorageClass"],
        checks: "A StorageClass of the AWS EBS provisioner (`ebs.csi.aws.com`, or the in-tree `kubernetes.io/aws-ebs`) has the parameter `encrypted: \"true\"`. Azure Disk and Google persistent disk classes pass: those disks are always encrypted at rest by the provider.",
        why: "An unencrypted EBS volume (and every snapshot taken of it) holds the application's data in clear on the provider's storage: anyone who obtains a snapshot, shares it by mistake or reads a detached volume reads the data. Volumes keep the encryption they were created with, so the class decides it for every claim.",
        example: "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp3}\nprovisioner: ebs.csi.aws.com\nparameters:\n  type: gp3",
        remediation: "Set `parameters.encrypted: \"true\"` (with `kmsKeyId` for a key of your own) on a new StorageClass and move claims to it (parameters cannot be changed in place), or turn on EBS encryption by default for the account and region.",
        frameworks: &["nsa-cisa", "mitre/T1530"],
    },
    check: check_unencrypted,
};

fn check_unencrypted(cx: &Context, out: &mut Vec<Finding>) {
    for c in &cx.inventory.storage_classes {
        if disk(&c.provisioner) != Some(CloudDisk::AwsEbs) {
            continue;
        }
        let value = param(c, &["encrypted"]);
        if value.is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            continue;
        }
        let said = match value {
            Some(v) => format!("`encrypted: {v}`"),
            None => "no `encrypted` parameter".into(),
        };
        out.push(Finding::new(
            &STORAGE_CLASS_UNENCRYPTED,
            class_ref(c),
            "parameters.encrypted",
            format!(
                "StorageClass {} ({}) has {said}: its EBS volumes are unencrypted unless the account encrypts EBS by default",
                c.metadata.name, c.provisioner
            ),
            &c.source,
        ));
    }
}

pub static STORAGE_CLASS_CUSTOMER_KEY: Rule = Rule {
    info: RuleInfo {
        id: "storageClassCustomerManagedKey",
        title: "Storage classes should encrypt volumes with a customer-managed key",
        severity: Severity::Low,
        category: Category::Cluster,
        kinds: &["StorageClass"],
        checks: "A StorageClass of a cloud disk provisioner names a key of the customer's: `kmsKeyId` for AWS EBS (`ebs.csi.aws.com`, `kubernetes.io/aws-ebs`; only judged when `encrypted` is `\"true\"`, the other case being `storageClassUnencrypted`), `diskEncryptionSetID` for Azure Disk (`disk.csi.azure.com`, `kubernetes.io/azure-disk`), `disk-encryption-kms-key` for Google persistent disks (`pd.csi.storage.gke.io`, `kubernetes.io/gce-pd`).",
        why: "With the provider's own keys, disabling or revoking access to the data, auditing each use of the key and rotating it on your schedule are not in your hands; a customer-managed key (AWS KMS, Azure Key Vault through a disk encryption set, Cloud KMS) gives that control and is required by many compliance regimes for data at rest.",
        example: "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: standard-rwo}\nprovisioner: pd.csi.storage.gke.io\nparameters:\n  type: pd-balanced",
        remediation: "Create a key (KMS, Key Vault with a disk encryption set, Cloud KMS), grant the CSI driver's identity use of it, and create a StorageClass naming it (`kmsKeyId`, `diskEncryptionSetID`, `disk-encryption-kms-key`); move claims to that class.",
        frameworks: &["nsa-cisa", "mitre/T1530"],
    },
    check: check_customer_key,
};

fn check_customer_key(cx: &Context, out: &mut Vec<Finding>) {
    for c in &cx.inventory.storage_classes {
        let (keys, field): (&[&str], &str) = match disk(&c.provisioner) {
            Some(CloudDisk::AwsEbs) => {
                let encrypted =
                    param(c, &["encrypted"]).is_some_and(|v| v.eq_ignore_ascii_case("true"));
                if !encrypted {
                    continue;
                }
                (&["kmsKeyId", "kmskeyid"], "parameters.kmsKeyId")
            }
            Some(CloudDisk::AzureDisk) => (
                &["diskEncryptionSetID", "diskencryptionsetid"],
                "parameters.diskEncryptionSetID",
            ),
            Some(CloudDisk::GcePd) => (
                &["disk-encryption-kms-key"],
                "parameters.disk-encryption-kms-key",
            ),
            None => continue,
        };
        if param(c, keys).is_some() {
            continue;
        }
        out.push(Finding::new(
            &STORAGE_CLASS_CUSTOMER_KEY,
            class_ref(c),
            field,
            format!(
                "StorageClass {} ({}) encrypts its volumes with the provider's key: no `{}`",
                c.metadata.name, c.provisioner, keys[0]
            ),
            &c.source,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    fn class(provisioner: &str, parameters: &str) -> String {
        format!("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {{name: sc}}\nprovisioner: {provisioner}\nparameters: {{{parameters}}}\n")
    }

    fn rules(yaml: &str) -> Vec<String> {
        findings(yaml)
            .into_iter()
            .filter(|f| f.resource.kind == "StorageClass")
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn ebs_classes_must_ask_for_encryption() {
        // From the AWS EBS CSI driver's parameters: `encrypted` defaults to false.
        assert_eq!(
            rules(&class("ebs.csi.aws.com", "type: gp3")),
            ["storageClassUnencrypted"]
        );
        assert_eq!(
            rules(&class(
                "kubernetes.io/aws-ebs",
                "type: gp2, encrypted: \"false\""
            )),
            ["storageClassUnencrypted"]
        );
        assert_eq!(
            rules(&class("ebs.csi.aws.com", "type: gp3, encrypted: \"true\"")),
            ["storageClassCustomerManagedKey"]
        );
        let cmk = "encrypted: \"true\", kmsKeyId: \"arn:aws:kms:us-east-1:123456789012:key/abcd\"";
        assert!(rules(&class("ebs.csi.aws.com", cmk)).is_empty());
    }

    #[test]
    fn azure_and_google_disks_are_encrypted_and_judged_on_their_key_only() {
        assert_eq!(
            rules(&class("disk.csi.azure.com", "skuName: Premium_LRS")),
            ["storageClassCustomerManagedKey"]
        );
        let des = "diskEncryptionSetID: /subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/diskEncryptionSets/d";
        assert!(rules(&class("disk.csi.azure.com", des)).is_empty());
        assert_eq!(
            rules(&class("pd.csi.storage.gke.io", "type: pd-balanced")),
            ["storageClassCustomerManagedKey"]
        );
        let kms = "disk-encryption-kms-key: projects/p/locations/l/keyRings/r/cryptoKeys/k";
        assert!(rules(&class("pd.csi.storage.gke.io", kms)).is_empty());
        // Other provisioners are not judged.
        assert!(rules(&class("rancher.io/local-path", "")).is_empty());
    }
}
