//! Parquet files (feature `parquet`): one row group per batch, columns typed from
//! their dlt types so DuckDB, Spark or Trino read them as such.

use super::schema::TableSchema;
use super::table::DataType;
use super::value::Cell;
use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    Time64MicrosecondBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use std::fs::File;
use std::sync::Arc;

/// An open Parquet file of one table, with the columns it was made with.
pub struct ParquetFile {
    writer: ArrowWriter<File>,
    schema: Arc<Schema>,
    types: Vec<DataType>,
}

impl std::fmt::Debug for ParquetFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetFile")
            .field("columns", &self.types.len())
            .finish()
    }
}

fn arrow_type(data_type: DataType) -> arrow_schema::DataType {
    use arrow_schema::DataType as A;
    match data_type {
        DataType::Bigint => A::Int64,
        DataType::Double => A::Float64,
        DataType::Bool => A::Boolean,
        DataType::Timestamp => A::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        DataType::Date => A::Date32,
        DataType::Time => A::Time64(TimeUnit::Microsecond),
        DataType::Binary => A::Binary,
        // Exact as text: decimals, wei, JSON.
        DataType::Text | DataType::Decimal | DataType::Wei | DataType::Json => A::Utf8,
    }
}

impl ParquetFile {
    /// A file for `table` with the columns it has now.
    pub fn create(file: File, table: &TableSchema) -> parquet::errors::Result<ParquetFile> {
        let fields: Vec<Field> = table
            .columns
            .iter()
            .map(|c| Field::new(&c.name, arrow_type(c.data_type), true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        Ok(ParquetFile {
            writer: ArrowWriter::try_new(file, schema.clone(), None)?,
            schema,
            types: table.columns.iter().map(|c| c.data_type).collect(),
        })
    }

    /// How many columns the file was made with.
    pub fn width(&self) -> usize {
        self.types.len()
    }

    /// Writes `rows` as one row group.
    pub fn write(&mut self, rows: &[Vec<Cell>]) -> parquet::errors::Result<()> {
        let columns: Vec<ArrayRef> = self
            .types
            .iter()
            .enumerate()
            .map(|(i, data_type)| {
                column(
                    *data_type,
                    rows.iter().map(|r| r.get(i).unwrap_or(&Cell::Null)),
                )
            })
            .collect();
        let batch = RecordBatch::try_new(self.schema.clone(), columns)?;
        self.writer.write(&batch)?;
        self.writer.flush()
    }

    /// Writes the footer and syncs the file to disk.
    pub fn close(self) -> parquet::errors::Result<()> {
        let file = self.writer.into_inner()?;
        file.sync_all()?;
        Ok(())
    }
}

fn column<'a>(data_type: DataType, cells: impl Iterator<Item = &'a Cell>) -> ArrayRef {
    use chrono::{Datelike as _, Timelike as _};
    match data_type {
        DataType::Bigint => {
            let mut b = Int64Builder::new();
            cells.for_each(|c| {
                b.append_option(if let Cell::Bigint(i) = c {
                    Some(*i)
                } else {
                    None
                })
            });
            Arc::new(b.finish())
        }
        DataType::Double => {
            let mut b = Float64Builder::new();
            cells.for_each(|c| {
                b.append_option(if let Cell::Double(f) = c {
                    Some(*f)
                } else {
                    None
                })
            });
            Arc::new(b.finish())
        }
        DataType::Bool => {
            let mut b = BooleanBuilder::new();
            cells.for_each(|c| {
                b.append_option(if let Cell::Bool(v) = c {
                    Some(*v)
                } else {
                    None
                })
            });
            Arc::new(b.finish())
        }
        DataType::Timestamp => {
            let mut b = TimestampMicrosecondBuilder::new().with_timezone("UTC");
            cells.for_each(|c| {
                b.append_option(if let Cell::Timestamp(t) = c {
                    Some(t.timestamp_micros())
                } else {
                    None
                })
            });
            Arc::new(b.finish())
        }
        DataType::Date => {
            let mut b = Date32Builder::new();
            cells.for_each(|c| {
                // Days since 1970-01-01 (719,163 days after 0001-01-01).
                b.append_option(if let Cell::Date(d) = c {
                    Some(d.num_days_from_ce() - 719_163)
                } else {
                    None
                })
            });
            Arc::new(b.finish())
        }
        DataType::Time => {
            let mut b = Time64MicrosecondBuilder::new();
            cells.for_each(|c| {
                b.append_option(if let Cell::Time(t) = c {
                    Some(
                        i64::from(t.num_seconds_from_midnight()) * 1_000_000
                            + i64::from(t.nanosecond() / 1_000),
                    )
                } else {
                    None
                })
            });
            Arc::new(b.finish())
        }
        DataType::Binary => {
            let mut b = BinaryBuilder::new();
            cells.for_each(|c| match c {
                Cell::Binary(bytes) => b.append_value(bytes),
                _ => b.append_null(),
            });
            Arc::new(b.finish())
        }
        DataType::Text | DataType::Decimal | DataType::Wei | DataType::Json => {
            let mut b = StringBuilder::new();
            cells.for_each(|c| b.append_option(c.to_text()));
            Arc::new(b.finish())
        }
    }
}
