fn main() -> Result<(), connectorgen::Error> {
    // Written to OUT_DIR/events.rs, OUT_DIR/tricky_api.rs, OUT_DIR/parity.rs, OUT_DIR/children.rs, OUT_DIR/incremental.rs, OUT_DIR/paginators.rs and OUT_DIR/pipedrive.rs.
    connectorgen::Builder::new("../../specs/events.json").generate()?;
    connectorgen::Builder::new("../specs/tricky_names.yaml").generate()?;
    connectorgen::Builder::new("../specs/parity.yaml").generate()?;
    connectorgen::Builder::new("../specs/children.yaml").generate()?;
    connectorgen::Builder::new("../specs/incremental.yaml").generate()?;
    connectorgen::Builder::new("../specs/paginators.yaml").generate()?;
    connectorgen::Builder::new("../specs/dlt_configs.yaml").generate()?;
    Ok(())
}
