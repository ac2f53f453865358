//! The statements an import needs: assignments, function parameters with their
//! defaults, and every other expression (where the call of `rest_api_source` may hide).

pub use super::expr::Failure;
use super::expr::{Node, Parser};
use super::lex::{Tok, Token};

/// What the module says, statement by statement.
#[derive(Debug, Default)]
pub struct Module {
    /// `NAME = value` and `NAME: T = value`, in order (later ones win).
    pub assignments: Vec<(String, Option<String>, Node)>,
    /// Function parameters with a default: (function, parameter, default).
    pub params: Vec<(String, String, Node)>,
    /// Every other expression statement (`return ...`, `pipeline.run(...)`).
    pub expressions: Vec<Node>,
    /// Statements that did not parse: of no interest unless the config is among them.
    pub errors: Vec<Failure>,
}

pub fn module(tokens: &[Token]) -> Result<Module, Failure> {
    let mut module = Module::default();
    let lines = tokens.split(|t| t.tok == Tok::Newline);
    for line in lines.filter(|l| !l.is_empty()) {
        if let Err(error) = statement(line, &mut module) {
            module.errors.push(error);
        }
    }
    Ok(module)
}

fn statement(line: &[Token], module: &mut Module) -> Result<(), Failure> {
    let name = |i: usize| match line.get(i).map(|t| &t.tok) {
        Some(Tok::Name(name)) => Some(name.as_str()),
        _ => None,
    };
    let op =
        |i: usize, op: &str| matches!(line.get(i).map(|t| &t.tok), Some(Tok::Op(o)) if *o == op);
    match name(0) {
        Some(
            "import" | "from" | "class" | "if" | "elif" | "else" | "for" | "while" | "try"
            | "except" | "finally" | "with" | "pass" | "raise" | "global" | "assert" | "del",
        ) => return Ok(()),
        Some("def") => {
            let function = name(1).unwrap_or_default().to_owned();
            let mut parser = Parser::new(line.get(2..).unwrap_or_default());
            for (param, default) in parser.params()? {
                module.params.push((function.clone(), param, default));
            }
            return Ok(());
        }
        Some("async") if name(1) == Some("def") => return statement(&line[1..], module),
        Some("return" | "yield") => {
            if line.len() > 1 {
                module.expressions.push(Parser::new(&line[1..]).expr()?);
            }
            return Ok(());
        }
        _ => {}
    }
    if op(0, "@") {
        return Ok(());
    }
    // `NAME = value` or `NAME: T = value`.
    if let Some(target) = name(0) {
        if op(1, "=") {
            let value = Parser::new(&line[2..]).expr()?;
            module.assignments.push((target.to_owned(), None, value));
            return Ok(());
        }
        if op(1, ":") {
            if let Some(eq) = line.iter().position(|t| t.tok == Tok::Op("=")) {
                let annotation = line[2..eq]
                    .iter()
                    .map(|t| match &t.tok {
                        Tok::Name(n) => n.clone(),
                        Tok::Op(o) => (*o).to_owned(),
                        _ => String::new(),
                    })
                    .collect::<String>();
                let value = Parser::new(&line[eq + 1..]).expr()?;
                module
                    .assignments
                    .push((target.to_owned(), Some(annotation), value));
            }
            return Ok(());
        }
    }
    // Any other statement: its expressions may hold the call we are after. One that
    // does not parse as an expression (`x += 1`, `a, b = f()`) is recorded as an error,
    // reported only if no config is found.
    module.expressions.push(Parser::new(line).expr()?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::expr::{Expr, FPart};

    fn parse(source: &str) -> Module {
        module(&super::super::lex::lex(source, 1).unwrap()).unwrap()
    }

    #[test]
    fn assignments_params_and_calls() {
        let m = parse(
            "import dlt\n\
             BASE = 'https://x'\n\
             @dlt.source\n\
             def src(token: str = dlt.secrets.value, n=3):\n    \
                 config: RESTAPIConfig = {'a': [1, (2, 3)], 'b': f'{BASE}/v1', 'c': lambda r: r}\n    \
                 return rest_api_source(config, name='x')\n",
        );
        assert_eq!(m.assignments.len(), 2);
        assert_eq!(m.assignments[1].1.as_deref(), Some("RESTAPIConfig"));
        let Expr::Dict(entries) = &m.assignments[1].2.expr else {
            panic!("{:?}", m.assignments[1].2)
        };
        assert_eq!(entries[2].1.expr, Expr::Lambda);
        assert_eq!(
            entries[1].1.expr,
            Expr::FStr(vec![FPart::Code("BASE".into()), FPart::Text("/v1".into())])
        );
        assert_eq!(m.params.len(), 2);
        assert_eq!(m.params[0].1, "token");
        let Expr::Call { kwargs, .. } = &m.expressions[0].expr else {
            panic!()
        };
        assert_eq!(kwargs[0].0, "name");
    }
}
