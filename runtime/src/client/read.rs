//! The only code of a walk that depends on the record type: reading records' texts or
//! JSON values into a `Vec` of that type. The walk and the fetch task hold these as
//! function pointers and pass records on boxed, so that a connector with hundreds of
//! resources compiles them, and a tokio task type, once rather than once per resource.

use crate::select::read_record;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::Value;
use std::any::Any;

/// Records of one page: a `Vec` of the record type, boxed.
pub(super) type Boxed = Box<dyn Any + Send>;

/// How records of one type are read.
#[derive(Clone, Copy)]
pub(super) struct Reader {
    /// From their texts; `None` when one does not read (the general way words the
    /// error).
    pub texts: fn(&[&RawValue]) -> Option<Boxed>,
    /// From JSON values.
    pub values: fn(Vec<Value>) -> Result<Boxed, Box<Failure>>,
}

/// A record that does not read into its type.
pub(super) struct Failure {
    /// Its position among the values read.
    pub index: usize,
    pub record: Value,
    /// The field, `.` for the record itself.
    pub path: String,
    pub message: String,
}

impl Reader {
    pub(super) fn of<T: DeserializeOwned + Send + 'static>() -> Reader {
        Reader {
            texts: texts::<T>,
            values: values::<T>,
        }
    }
}

/// The records of a page, back in their type.
pub(super) fn unbox<T: 'static>(records: Boxed) -> Vec<T> {
    match records.downcast::<Vec<T>>() {
        Ok(records) => *records,
        Err(_) => unreachable!("records are boxed by the Reader of their type"),
    }
}

fn texts<T: DeserializeOwned + Send + 'static>(texts: &[&RawValue]) -> Option<Boxed> {
    let records: Vec<T> = texts
        .iter()
        .map(|text| read_record(text).ok())
        .collect::<Option<_>>()?;
    Some(Box::new(records))
}

fn values<T: DeserializeOwned + Send + 'static>(values: Vec<Value>) -> Result<Boxed, Box<Failure>> {
    let mut records: Vec<T> = Vec::with_capacity(values.len());
    for (index, value) in values.into_iter().enumerate() {
        // Read from a borrow first: the value is still there to name the record and the
        // field in an error.
        if let Ok(record) = T::deserialize(&value) {
            records.push(record);
            continue;
        }
        let record = value.clone();
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(read) => records.push(read),
            Err(error) => {
                return Err(Box::new(Failure {
                    index,
                    record,
                    path: error.path().to_string(),
                    message: error.inner().to_string(),
                }))
            }
        }
    }
    Ok(Box::new(records))
}
