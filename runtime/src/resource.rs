use serde::{de::DeserializeOwned, Serialize};

/// How a destination should write a resource's records (dlt's `write_disposition`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteDisposition {
    Append,
    Replace,
    Merge { strategy: Option<MergeStrategy> },
    Skip,
}

/// dlt's merge strategies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeStrategy {
    DeleteInsert,
    Upsert,
    Scd2,
    InsertOnly,
}

/// A typed record of one resource, with the resource's metadata from the spec.
pub trait Resource: DeserializeOwned + Serialize + Send + 'static {
    /// The resource name as written in the spec.
    const NAME: &'static str;
    /// The endpoint path as written in the spec.
    const PATH: &'static str;
    /// Primary key columns (empty when the spec sets none).
    const PRIMARY_KEY: &'static [&'static str];
    const WRITE_DISPOSITION: WriteDisposition;

    /// How to fetch this resource.
    fn endpoint() -> &'static crate::Endpoint;
}
