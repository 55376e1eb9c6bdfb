//! The spoken call of the display board: "Nomor antrian A nol nol satu, silakan ke loket
//! tiga". The hub turns this text into speech (espeak-ng, Indonesian voice); the words are
//! chosen here so that every board says the same thing.

/// Indonesian words for 0..=9, said one by one for a ticket's digits.
const DIGITS: [&str; 10] = [
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
];

/// The sentence said when `ticket` (e.g. `A001`) is called to `counter` (e.g. `Loket 3`).
///
/// The ticket's digits are said one by one, as the number is printed; a number inside the
/// counter's name is said as a number ("Loket 12" -> "loket dua belas"). Other characters
/// are kept as they are, lower-cased for the counter, so the voice can still read them.
pub fn call_announcement(ticket: &str, counter: &str) -> String {
    let mut ticket_words = Vec::new();
    for c in ticket.chars() {
        match c.to_digit(10) {
            Some(d) => ticket_words.push(DIGITS[d as usize].to_string()),
            None if c.is_alphanumeric() => ticket_words.push(c.to_uppercase().to_string()),
            None => {}
        }
    }
    format!(
        "Nomor antrian {}, silakan ke {}",
        ticket_words.join(" "),
        counter_words(counter)
    )
}

/// "Loket 12" -> "loket dua belas": runs of digits become Indonesian number words.
fn counter_words(counter: &str) -> String {
    let mut words = Vec::new();
    for word in counter.split_whitespace() {
        match word.parse::<u64>() {
            Ok(n) if word.chars().all(|c| c.is_ascii_digit()) => words.push(number_words(n)),
            _ => words.push(word.to_lowercase()),
        }
    }
    words.join(" ")
}

/// A number in Indonesian words ("dua belas", "seratus dua puluh satu"), up to billions.
pub fn number_words(n: u64) -> String {
    fn below_thousand(n: u64) -> Vec<String> {
        let mut out = Vec::new();
        let (hundreds, rest) = (n / 100, n % 100);
        match hundreds {
            0 => {}
            1 => out.push("seratus".to_string()),
            h => out.push(format!("{} ratus", DIGITS[h as usize])),
        }
        match rest {
            0 => {}
            10 => out.push("sepuluh".into()),
            11 => out.push("sebelas".into()),
            12..=19 => out.push(format!("{} belas", DIGITS[(rest - 10) as usize])),
            1..=9 => out.push(DIGITS[rest as usize].into()),
            _ => {
                out.push(format!("{} puluh", DIGITS[(rest / 10) as usize]));
                if rest % 10 != 0 {
                    out.push(DIGITS[(rest % 10) as usize].into());
                }
            }
        }
        out
    }
    if n == 0 {
        return "nol".into();
    }
    let scales = [
        (1_000_000_000, "miliar"),
        (1_000_000, "juta"),
        (1_000, "ribu"),
    ];
    let mut words = Vec::new();
    let mut rest = n;
    for (size, name) in scales {
        let count = rest / size;
        rest %= size;
        match count {
            0 => {}
            1 if size == 1_000 => words.push("seribu".to_string()),
            c => {
                words.extend(below_thousand(c));
                words.push(name.to_string());
            }
        }
    }
    words.extend(below_thousand(rest));
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentence_of_the_design() {
        assert_eq!(
            call_announcement("A001", "Loket 3"),
            "Nomor antrian A nol nol satu, silakan ke loket tiga"
        );
    }

    #[test]
    fn counter_numbers_are_said_as_numbers() {
        assert_eq!(
            call_announcement("C120", "Loket 12"),
            "Nomor antrian C satu dua nol, silakan ke loket dua belas"
        );
        assert_eq!(
            call_announcement("P007", "Meja Informasi"),
            "Nomor antrian P nol nol tujuh, silakan ke meja informasi"
        );
    }

    #[test]
    fn number_words_cover_the_irregular_forms() {
        let cases = [
            (0, "nol"),
            (1, "satu"),
            (10, "sepuluh"),
            (11, "sebelas"),
            (15, "lima belas"),
            (20, "dua puluh"),
            (21, "dua puluh satu"),
            (100, "seratus"),
            (101, "seratus satu"),
            (250, "dua ratus lima puluh"),
            (1000, "seribu"),
            (1999, "seribu sembilan ratus sembilan puluh sembilan"),
            (2000, "dua ribu"),
            (1_000_000, "satu juta"),
        ];
        for (n, words) in cases {
            assert_eq!(number_words(n), words, "{n}");
        }
    }

    #[test]
    fn odd_input_never_panics() {
        assert_eq!(call_announcement("", ""), "Nomor antrian , silakan ke ");
        let long = "9".repeat(40);
        assert!(call_announcement("A-1", &format!("Loket {long}")).contains("loket"));
    }
}
