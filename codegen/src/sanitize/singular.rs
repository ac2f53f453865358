//! The singular of a plural English word, for record types named for one record.
//!
//! A small rule, not a dictionary: it only touches words that end in `s`, and keeps a
//! word it has no reason to change. Lists hold the exceptions that API names meet.

/// Words ending in `s` that are singular, have no singular of their own, or are
/// acronyms (`sms`, `dns`).
const KEEP: &[&str] = &[
    "alias",
    "analytics",
    "atlas",
    "aws",
    "bias",
    "canvas",
    "chaos",
    "cms",
    "dns",
    "gas",
    "gps",
    "https",
    "ios",
    "kudos",
    "lens",
    "means",
    "news",
    "physics",
    "pos",
    "series",
    "sms",
    "species",
    "this",
    "yes",
];

/// Plurals ending in `-us` or `-is`, which are otherwise singular (`status`, `analysis`).
const PLURAL_US_IS: &[&str] = &[
    "apis", "cpus", "emojis", "emus", "gpus", "gurus", "haikus", "kiwis", "kpis", "menus", "skus",
    "taxis", "uris", "wikis",
];

/// Singulars ending in `-ie` (`movies`), `-che` (`caches`) or `-use` after a consonant
/// (`excuses`), whose plurals the suffix rules would cut too short.
const ENDS_IN_E: &[&str] = &[
    "abuse",
    "accuse",
    "avalanche",
    "brownie",
    "cache",
    "calorie",
    "cookie",
    "excuse",
    "fuse",
    "genie",
    "goalie",
    "headache",
    "hippie",
    "lingerie",
    "misuse",
    "movie",
    "moustache",
    "mustache",
    "niche",
    "pixie",
    "prairie",
    "psyche",
    "refuse",
    "rookie",
    "selfie",
    "smoothie",
    "sortie",
    "tranche",
    "zombie",
];

/// Plurals no suffix rule gets right.
const IRREGULAR: &[(&str, &str)] = &[
    ("aliases", "alias"),
    ("analyses", "analysis"),
    ("atlases", "atlas"),
    ("biases", "bias"),
    ("canvases", "canvas"),
    ("crises", "crisis"),
    ("diagnoses", "diagnosis"),
    ("echoes", "echo"),
    ("embargoes", "embargo"),
    ("gases", "gas"),
    ("heroes", "hero"),
    ("hypotheses", "hypothesis"),
    ("lenses", "lens"),
    ("parentheses", "parenthesis"),
    ("potatoes", "potato"),
    ("quizzes", "quiz"),
    ("syntheses", "synthesis"),
    ("theses", "thesis"),
    ("tomatoes", "tomato"),
    ("torpedoes", "torpedo"),
    ("vetoes", "veto"),
];

/// One of a plural English word: `-ies` -> `-y` (`categories`), `-sses`, `-xes`,
/// `-ches`, `-shes` and `-zzes` lose `es` (`addresses`, `boxes`, `matches`), a
/// consonant before `-uses` keeps `us` (`statuses`, `buses`), a listed irregular plural
/// (`analyses`, `heroes`, `quizzes`), otherwise the `s` goes (`users`, `releases`,
/// `movies`, `caches`). Kept as they are: words without a final `s` (`data`, `people`),
/// words ending in `ss`, `us` or `is` (`address`, `status`, `analysis`; but `menus`,
/// `apis` lose their `s`), words whose stem would be shorter than three letters (`ids`,
/// `sms`), and a few singulars and acronyms (`news`, `series`, `dns`).
pub fn singular(word: &str) -> String {
    if let Some((_, one)) = IRREGULAR.iter().find(|(many, _)| *many == word) {
        return (*one).to_owned();
    }
    let Some(stem) = word.strip_suffix('s') else {
        return word.to_owned();
    };
    if PLURAL_US_IS.contains(&word) || ENDS_IN_E.contains(&stem) {
        return stem.to_owned();
    }
    let keep = stem.len() < 3
        || ["ss", "us", "is"].iter().any(|end| word.ends_with(end))
        || KEEP.contains(&word);
    if keep {
        return word.to_owned();
    }
    if let Some(y) = word.strip_suffix("ies") {
        return format!("{y}y");
    }
    if ["sses", "xes", "ches", "shes", "zzes"]
        .iter()
        .any(|end| word.ends_with(end))
    {
        return word[..word.len() - 2].to_owned();
    }
    if let Some(before) = word.strip_suffix("uses") {
        if before.ends_with(|c: char| !"aeiou".contains(c)) {
            return format!("{before}us");
        }
    }
    stem.to_owned()
}

#[cfg(test)]
mod tests {
    use super::singular;

    #[test]
    fn plural_api_names_become_singular() {
        let cases = [
            ("events", "event"),
            ("addresses", "address"),
            ("statuses", "status"),
            ("invoices", "invoice"),
            ("responses", "response"),
            ("companies", "company"),
            ("activities", "activity"),
            ("aliases", "alias"),
            ("courses", "course"),
            ("taxes", "tax"),
            ("wishes", "wish"),
            ("matches", "match"),
            ("caches", "cache"),
            ("buses", "bus"),
            ("viruses", "virus"),
            ("excuses", "excuse"),
            ("houses", "house"),
            ("analyses", "analysis"),
            ("movies", "movie"),
            ("heroes", "hero"),
            ("shoes", "shoe"),
            ("quizzes", "quiz"),
            ("buzzes", "buzz"),
            ("menus", "menu"),
            ("skus", "sku"),
            ("apis", "api"),
            ("lenses", "lens"),
            ("releases", "release"),
            ("repos", "repo"),
        ];
        for (many, one) in cases {
            assert_eq!(singular(many), one, "{many}");
        }
    }

    #[test]
    fn singulars_acronyms_and_unknowns_are_kept() {
        for word in [
            "status", "address", "analysis", "news", "series", "data", "metadata", "people", "sms",
            "dns", "https", "ios", "ids", "os", "campus", "bus", "access", "business",
        ] {
            assert_eq!(singular(word), word, "{word}");
        }
    }
}
