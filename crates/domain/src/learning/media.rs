//! Lesson files: which uploads are accepted (PDF, video, audio, told by
//! their first bytes, not their names alone) and how a byte range asked of a
//! stored file is answered, so that a video seeks without downloading the
//! whole file. Pure: the store keeps the bytes, the web layer the headers.

crate::codes!(
    /// What a lesson file is (and the kind of lesson it makes).
    MediaKind {
        Pdf = "pdf",
        Video = "video",
        Audio = "audio",
    }
);

/// Tells a lesson file's kind and content type from its name's extension
/// and its first bytes, which must agree; anything else is refused (an
/// executable renamed `.mp4` is not served as a video).
pub fn sniff(file_name: &str, head: &[u8]) -> Option<(MediaKind, &'static str)> {
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    let iso_media = at(4, b"ftyp");
    let (kind, content_type) = match ext.as_str() {
        "pdf" if at(0, b"%PDF-") => (MediaKind::Pdf, "application/pdf"),
        "mp4" | "m4v" if iso_media => (MediaKind::Video, "video/mp4"),
        "webm" if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) => (MediaKind::Video, "video/webm"),
        "m4a" if iso_media => (MediaKind::Audio, "audio/mp4"),
        "mp3" if at(0, b"ID3") || (head.len() >= 2 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0) => {
            (MediaKind::Audio, "audio/mpeg")
        }
        "ogg" | "oga" if at(0, b"OggS") => (MediaKind::Audio, "audio/ogg"),
        "wav" if at(0, b"RIFF") && at(8, b"WAVE") => (MediaKind::Audio, "audio/wav"),
        _ => return None,
    };
    Some((kind, content_type))
}

/// How to answer a request for a stored file of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// The whole file (no range asked, or one this server does not take:
    /// several ranges, other units, a malformed header; RFC 9110 lets a
    /// server ignore those).
    Whole,
    /// Bytes `start..=end`, answered with 206.
    Part { start: u64, end: u64 },
    /// A range that starts past the end: 416.
    Unsatisfiable,
}

/// Reads a `Range` header (`bytes=0-`, `bytes=100-199`, `bytes=-500`)
/// against a file of `size` bytes.
pub fn span(range: Option<&str>, size: u64) -> Span {
    let Some(spec) = range.and_then(|r| r.trim().strip_prefix("bytes=")) else {
        return Span::Whole;
    };
    if spec.contains(',') {
        return Span::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Span::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let parse = |s: &str| if s.bytes().all(|b| b.is_ascii_digit()) { s.parse::<u64>().ok() } else { None };
    match (first.is_empty(), last.is_empty()) {
        // The last N bytes.
        (true, false) => match parse(last) {
            Some(0) => Span::Unsatisfiable,
            Some(n) if size > 0 => Span::Part { start: size.saturating_sub(n), end: size - 1 },
            Some(_) => Span::Unsatisfiable,
            None => Span::Whole,
        },
        (false, _) => {
            let Some(start) = parse(first) else { return Span::Whole };
            let end = if last.is_empty() { Some(u64::MAX) } else { parse(last) };
            match end {
                None => Span::Whole,
                Some(end) if end < start => Span::Whole,
                Some(_) if start >= size => Span::Unsatisfiable,
                Some(end) => Span::Part { start, end: end.min(size - 1) },
            }
        }
        (true, true) => Span::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_told_by_their_bytes_and_their_names_together() {
        let mp4 = b"\0\0\0\x20ftypisom\0\0\x02\0";
        assert_eq!(sniff("第一课.MP4", mp4), Some((MediaKind::Video, "video/mp4")));
        assert_eq!(sniff("讲义.pdf", b"%PDF-1.7\n"), Some((MediaKind::Pdf, "application/pdf")));
        assert_eq!(sniff("a.webm", &[0x1A, 0x45, 0xDF, 0xA3, 1]), Some((MediaKind::Video, "video/webm")));
        assert_eq!(sniff("a.mp3", b"ID3\x04"), Some((MediaKind::Audio, "audio/mpeg")));
        assert_eq!(sniff("a.mp3", &[0xFF, 0xFB, 0x90]), Some((MediaKind::Audio, "audio/mpeg")));
        assert_eq!(sniff("a.wav", b"RIFF\0\0\0\0WAVEfmt "), Some((MediaKind::Audio, "audio/wav")));
        assert_eq!(sniff("a.m4a", mp4), Some((MediaKind::Audio, "audio/mp4")));
        assert_eq!(sniff("a.mp4", b"MZ\x90\0 not a video"), None, "an executable renamed");
        assert_eq!(sniff("a.pdf", mp4), None, "name and bytes disagree");
        assert_eq!(sniff("a.exe", b"%PDF-1.7"), None);
        assert_eq!(sniff("noext", b"%PDF-1.7"), None);
        assert_eq!(sniff("a.mp4", b"\0\0"), None, "too short to tell");
    }

    #[test]
    fn ranges_are_answered_as_rfc_9110_says() {
        assert_eq!(span(None, 1000), Span::Whole);
        assert_eq!(span(Some("bytes=0-"), 1000), Span::Part { start: 0, end: 999 });
        assert_eq!(span(Some("bytes=100-199"), 1000), Span::Part { start: 100, end: 199 });
        assert_eq!(span(Some("bytes=900-5000"), 1000), Span::Part { start: 900, end: 999 }, "clipped to the end");
        assert_eq!(span(Some("bytes=-300"), 1000), Span::Part { start: 700, end: 999 });
        assert_eq!(span(Some("bytes=-3000"), 1000), Span::Part { start: 0, end: 999 });
        assert_eq!(span(Some("bytes=999-999"), 1000), Span::Part { start: 999, end: 999 });
        assert_eq!(span(Some("bytes=1000-"), 1000), Span::Unsatisfiable);
        assert_eq!(span(Some("bytes=-0"), 1000), Span::Unsatisfiable);
        assert_eq!(span(Some("bytes=0-"), 0), Span::Unsatisfiable);
        // Ignored, answered whole: several ranges, other units, nonsense, backwards.
        assert_eq!(span(Some("bytes=0-1,5-9"), 1000), Span::Whole);
        assert_eq!(span(Some("items=0-1"), 1000), Span::Whole);
        assert_eq!(span(Some("bytes=a-b"), 1000), Span::Whole);
        assert_eq!(span(Some("bytes=+5-9"), 1000), Span::Whole);
        assert_eq!(span(Some("bytes=9-5"), 1000), Span::Whole);
        assert_eq!(span(Some("bytes=-"), 1000), Span::Whole);
    }
}
