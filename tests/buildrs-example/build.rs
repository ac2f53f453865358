fn main() -> Result<(), connectorgen::Error> {
    // Written to OUT_DIR/events.rs and OUT_DIR/tricky_api.rs.
    connectorgen::Builder::new("../../specs/events.json").generate()?;
    connectorgen::Builder::new("../specs/tricky_names.yaml").generate()?;
    Ok(())
}
