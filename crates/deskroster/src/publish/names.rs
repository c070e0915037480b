//! Safe, unique file-name stems and identifier slugs derived from names.

use std::collections::BTreeSet;

use crate::model::Problem;

/// Longest stem, in bytes (ASCII), before a uniqueness suffix.
const MAX_STEM: usize = 60;

/// Names Windows refuses as file names whatever the extension.
const RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// One safe file-name stem per person of `problem`, in person order (add `.ics` yourself).
///
/// Stems are lowercase ASCII letters, digits and `-` only: accents are transliterated (`José
/// Núñez` → `jose-nunez`, `王芳` → `wang-fang`), spaces and punctuation (including `/`, `\` and
/// `.`) become single dashes, and the result is at most about 60 characters. A name that
/// leaves nothing usable becomes `person`; Windows device names get a `-person` suffix. Stems
/// are unique even on case-insensitive file systems: a later person whose stem is taken gets
/// `-2`, `-3`, ... in person order, so the same term always gives the same names.
///
/// ```
/// use deskroster::builder::ProblemBuilder;
/// use deskroster::publish::file_stems;
///
/// let problem = ProblemBuilder::new("2027-01-11".parse()?, 1)
///     .group("g")
///     .person("José Núñez", "g", |p| p)
///     .person("jose nunez", "g", |p| p)
///     .person("../etc/passwd", "g", |p| p)
///     .build()?;
/// assert_eq!(file_stems(&problem), ["jose-nunez", "jose-nunez-2", "etc-passwd"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn file_stems(problem: &Problem) -> Vec<String> {
    unique_slugs(problem.people.iter().map(|p| p.name.as_str()), "person")
}

/// Unique slugs for `names`, in order; `fallback` names an entry that leaves nothing usable.
pub(crate) fn unique_slugs<'a>(
    names: impl Iterator<Item = &'a str>,
    fallback: &str,
) -> Vec<String> {
    let base: Vec<String> = names.map(|n| slug(n, fallback)).collect();
    // Every base slug is reserved first, so "Ana 2" keeps "ana-2" even after two "Ana"s.
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut first_owner = BTreeSet::new();
    let mut out = Vec::with_capacity(base.len());
    for b in &base {
        used.insert(b.clone());
    }
    for b in base {
        if first_owner.insert(b.clone()) {
            out.push(b);
            continue;
        }
        let mut n = 2u32;
        let name = loop {
            let candidate = format!("{b}-{n}");
            if used.insert(candidate.clone()) {
                break candidate;
            }
            n += 1;
        };
        out.push(name);
    }
    out
}

/// Lowercase ASCII `[a-z0-9-]` form of `name`.
fn slug(name: &str, fallback: &str) -> String {
    let ascii = deunicode::deunicode(name).to_ascii_lowercase();
    let mut s = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
    }
    if s.len() > MAX_STEM {
        s.truncate(MAX_STEM);
    }
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() {
        fallback.to_string()
    } else if RESERVED.contains(&s.as_str()) {
        format!("{s}-{fallback}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_and_unique() {
        let names = [
            "Ana López",
            "ANA LOPEZ",
            "Ana Lopez 2",
            "..",
            "a/b\\c",
            "CON",
            "Zoë  O'Brien-Smith",
            "王芳",
            "   ",
            "🙂",
        ];
        let got = unique_slugs(names.into_iter(), "person");
        assert_eq!(
            got,
            [
                "ana-lopez",
                "ana-lopez-3",
                "ana-lopez-2",
                "person",
                "a-b-c",
                "con-person",
                "zoe-o-brien-smith",
                "wang-fang",
                "person-2",
                "slight-smile",
            ]
        );
        let long = "x".repeat(200);
        assert_eq!(slug(&long, "p").len(), MAX_STEM);
    }
}
