//! "Did you mean …?": the known name nearest to a misspelt one, and ordinals for naming an array
//! entry by its position ("the 3rd [[firm]]").

/// Words analysts write for a distribution's parameters, with the parameter each may mean. A
/// word maps to every parameter it may stand for; the caller keeps those its distribution takes
/// (so `stdev` is `sd` for a normal and `sigma` for a lognormal). Edit distance alone finds none
/// of these: `high` is nearer to `min` than to `max`.
const SYNONYMS: &[(&str, &[&str])] = &[
    ("stdev", &["sd", "sigma"]),
    ("std", &["sd", "sigma"]),
    ("stddev", &["sd", "sigma"]),
    ("std_dev", &["sd", "sigma"]),
    ("sdev", &["sd", "sigma"]),
    ("standard_deviation", &["sd", "sigma"]),
    ("sigma", &["sd"]),
    ("sd", &["sigma"]),
    ("low", &["min"]),
    ("lo", &["min"]),
    ("lower", &["min"]),
    ("minimum", &["min"]),
    ("from", &["min"]),
    ("high", &["max"]),
    ("hi", &["max"]),
    ("upper", &["max"]),
    ("maximum", &["max"]),
    ("to", &["max"]),
    ("most_likely", &["mode"]),
    ("likely", &["mode"]),
    ("peak", &["mode"]),
    ("mu", &["mean"]),
    ("average", &["mean"]),
    ("avg", &["mean"]),
    ("a", &["alpha"]),
    ("b", &["beta"]),
    ("val", &["value"]),
    ("probabilities", &["weights"]),
    ("probs", &["weights"]),
    // Distribution names.
    ("gaussian", &["normal"]),
    ("gauss", &["normal"]),
    ("log_normal", &["lognormal"]),
    ("log-normal", &["lognormal"]),
    ("constant", &["fixed"]),
    ("triangle", &["triangular"]),
    ("betapert", &["pert"]),
    ("beta_pert", &["pert"]),
    ("beta-pert", &["pert"]),
];

/// The candidate that `given` most likely misspells, if one is close enough: a known synonym
/// first, then the nearest by edit distance (a swap of two neighbours counting as one edit)
/// within a third of the word's length, then a candidate that starts with `given` (`from` for
/// `from_round`). Ties go to the earlier candidate, so the answer is deterministic.
pub fn nearest<'c>(given: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = given.to_ascii_lowercase();
    if let Some((_, meant)) = SYNONYMS.iter().find(|(word, _)| *word == lower) {
        if let Some(c) = candidates.iter().find(|c| meant.contains(c)) {
            return Some(c);
        }
    }
    let budget = (lower.chars().count() / 3).max(1);
    let best = candidates
        .iter()
        .map(|c| (distance(&lower, c), *c))
        .filter(|(d, c)| *d <= budget && *d < c.chars().count())
        .min_by_key(|(d, _)| *d);
    if let Some((_, c)) = best {
        return Some(c);
    }
    if lower.chars().count() >= 3 {
        return candidates.iter().find(|c| c.starts_with(&lower)).copied();
    }
    None
}

/// The optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// two adjacent characters, each one edit (Damerau 1964; the restricted form that edits no
/// substring twice).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j]; three rows suffice.
    let mut before = vec![0usize; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            current[j] = d;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// `n` as an English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 102nd.
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("max", "max"), 0);
        assert_eq!(distance("maxx", "max"), 1);
        assert_eq!(distance("trails", "trials"), 1);
        assert_eq!(distance("wieght", "weight"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("ca", "abc"), 3);
    }

    #[test]
    fn suggestions_stay_within_the_candidates() {
        let normal = ["mean", "sd", "min", "max"];
        assert_eq!(nearest("stdev", &normal), Some("sd"));
        assert_eq!(nearest("STDEV", &normal), Some("sd"));
        assert_eq!(nearest("sigma", &normal), Some("sd"));
        assert_eq!(nearest("stdev", &["median", "sigma"]), Some("sigma"));
        let uniform = ["min", "max"];
        assert_eq!(nearest("low", &uniform), Some("min"));
        assert_eq!(nearest("high", &uniform), Some("max"));
        assert_eq!(nearest("maxx", &uniform), Some("max"));
        // A synonym whose parameter the distribution lacks is no answer.
        assert_eq!(nearest("stdev", &uniform), None);
        assert_eq!(nearest("shape", &uniform), None);
        assert_eq!(
            nearest("from", &["name", "from_round", "to_round"]),
            Some("from_round")
        );
        assert_eq!(
            nearest("trails", &["name", "trials", "seed", "rounds"]),
            Some("trials")
        );
        // One letter off a two-letter word is not a suggestion of a different word.
        assert_eq!(nearest("x", &["a"]), None);
        // Ties go to the first candidate.
        assert_eq!(nearest("mox", &["max", "mix"]), Some("max"));
    }

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 102, 111, 112]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
                "101st", "102nd", "111th", "112th"
            ]
        );
    }
}
