fn main() -> Result<(), connectorgen::Error> {
    // Written to OUT_DIR/events.rs, OUT_DIR/tricky_api.rs, OUT_DIR/parity.rs, OUT_DIR/children.rs, OUT_DIR/incremental.rs, OUT_DIR/paginators.rs and OUT_DIR/pipedrive.rs.
    connectorgen::Builder::new("../../specs/events.json").generate()?;
    // These exercise dlt's deprecated and legacy forms on purpose (`complex`,
    // `json_response`, resolve and incremental params): their warnings are known.
    connectorgen::Builder::new("../specs/tricky_names.yaml")
        .warnings(false)
        .generate()?;
    connectorgen::Builder::new("../specs/parity.yaml")
        .warnings(false)
        .generate()?;
    connectorgen::Builder::new("../specs/children.yaml")
        .warnings(false)
        .generate()?;
    connectorgen::Builder::new("../specs/incremental.yaml")
        .warnings(false)
        .generate()?;
    connectorgen::Builder::new("../specs/paginators.yaml").generate()?;
    connectorgen::Builder::new("../specs/dlt_configs.yaml").generate()?;
    Ok(())
}
