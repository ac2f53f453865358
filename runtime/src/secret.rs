use std::fmt;

/// A credential supplied at run time (constructor or environment variable).
///
/// It never prints: `Debug` shows `Secret(***)` and there is no `Display`. The value is
/// reachable only through [`Secret::expose`], which the runtime calls when it builds a
/// request. Once made, it is masked in every form in every error and log line of the
/// runtime (see [`crate::mask_secrets`]).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Box<str>);

impl Secret {
    /// A secret; from now on it is masked wherever text leaves the runtime.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        crate::mask::remember(&value);
        Secret(value.into_boxed_str())
    }

    /// The secret's value, for putting on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(secret.expose(), "hunter2");
    }
}
