//! Byte offsets to 1-based lines and columns.

/// Line starts of one text, for turning parser offsets into `line:column`.
pub struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { source, starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        let start = self.starts[line - 1];
        let end = offset.min(self.source.len()).max(start);
        (line, self.source[start..end].chars().count() + 1)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &'a str {
        let start = self
            .starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(self.source.len());
        let end = self
            .starts
            .get(line)
            .map(|e| e - 1)
            .unwrap_or(self.source.len());
        &self.source[start..end.max(start)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_from_one() {
        let text = "ab\nçd\n\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(1), (1, 2));
        assert_eq!(index.position(3), (2, 1));
        // `ç` is two bytes: `d` is the second character.
        assert_eq!(index.position(5), (2, 2));
        assert_eq!(index.position(8), (4, 1));
        assert_eq!(index.position(text.len()), (4, 5));
        assert_eq!(index.line_text(2), "çd");
        assert_eq!(index.line_text(3), "");
        assert_eq!(index.line_text(4), "last");
        assert_eq!(index.line_text(9), "");
    }
}
