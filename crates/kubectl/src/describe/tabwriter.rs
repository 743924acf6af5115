//! The writer every describer prints through: Go's `text/tabwriter` (as `tabbedString` configures it:
//! minwidth 0, padding 2, padchar ' ', no flags) behind kubectl's `PrefixWriter`.
//!
//! Describe alignment is not per table but per *column block*: consecutive lines that have a cell in a
//! column share that column's width, and a line without it (such as `IPs:` or `Containers:`) ends the
//! block. That is why `Controlled By:` in a pod aligns with the `  IP:` line above it and not with
//! `Name:`. Reproducing the exact algorithm is the only way to get every capture right, so this is a
//! port of the Go code rather than a table formatter.

/// One cell: its size in bytes of `buf` and its width in characters. (Go also records whether a hard tab
/// ended it, which only matters for `DiscardEmptyColumns`, a flag kubectl does not set.)
#[derive(Clone, Copy, Debug, Default)]
struct Cell {
    size: usize,
    width: usize,
}

/// Go's `tabwriter.Writer` with kubectl's settings.
#[derive(Debug)]
struct TabWriter {
    out: String,
    /// Text of all cells, tabs and line breaks stripped.
    buf: String,
    /// Bytes of the incomplete cell at the end of `buf`.
    cell: Cell,
    lines: Vec<Vec<Cell>>,
    widths: Vec<usize>,
}

const PADDING: usize = 2;

impl TabWriter {
    fn new() -> TabWriter {
        TabWriter { out: String::new(), buf: String::new(), cell: Cell::default(), lines: vec![vec![]], widths: vec![] }
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.cell = Cell::default();
        self.lines.clear();
        self.lines.push(vec![]);
        self.widths.clear();
    }

    fn append(&mut self, text: &str) {
        self.buf.push_str(text);
        self.cell.size += text.len();
        self.cell.width += text.chars().count();
    }

    /// Ends the current cell and returns how many cells its line now has.
    fn terminate_cell(&mut self) -> usize {
        let cell = std::mem::take(&mut self.cell);
        let line = self.lines.last_mut().expect("there is always a current line");
        line.push(cell);
        line.len()
    }

    fn write(&mut self, text: &str) {
        let mut start = 0;
        for (i, ch) in text.char_indices() {
            if !matches!(ch, '\t' | '\x0b' | '\n' | '\x0c') {
                continue;
            }
            self.append(&text[start..i]);
            start = i + 1;
            let ncells = self.terminate_cell();
            if ch == '\n' || ch == '\x0c' {
                self.lines.push(vec![]);
                // A line with a single cell cannot affect later columns, so Go flushes there; a form
                // feed always flushes.
                if ch == '\x0c' || ncells == 1 {
                    self.flush();
                }
            }
        }
        self.append(&text[start..]);
    }

    fn flush(&mut self) {
        if self.cell.size > 0 {
            self.terminate_cell();
        }
        let n = self.lines.len();
        self.format(0, 0, n);
        self.reset();
    }

    fn write_padding(&mut self, text_width: usize, cell_width: usize) {
        for _ in text_width..cell_width {
            self.out.push(' ');
        }
    }

    fn write_lines(&mut self, mut pos: usize, line0: usize, line1: usize) -> usize {
        for i in line0..line1 {
            let line = self.lines[i].clone();
            for (j, c) in line.iter().enumerate() {
                if c.size > 0 {
                    let text = &self.buf[pos..pos + c.size];
                    self.out.push_str(text);
                    pos += c.size;
                }
                if j < self.widths.len() {
                    let w = self.widths[j];
                    self.write_padding(c.width, w);
                }
            }
            if i + 1 == self.lines.len() {
                // The last buffered line has no newline yet: write what is pending of it.
                let text = &self.buf[pos..pos + self.cell.size];
                self.out.push_str(text);
                pos += self.cell.size;
            } else {
                self.out.push('\n');
            }
        }
        pos
    }

    fn format(&mut self, pos0: usize, line0: usize, line1: usize) -> usize {
        let mut pos = pos0;
        let mut line0 = line0;
        let column = self.widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 < self.lines[this].len() {
                // A cell exists in this column: print the lines before the block, then size the block.
                pos = self.write_lines(pos, line0, this);
                line0 = this;
                let mut width = 0;
                while this < line1 {
                    let line = &self.lines[this];
                    if column + 1 < line.len() {
                        width = width.max(line[column].width + PADDING);
                        this += 1;
                    } else {
                        break;
                    }
                }
                self.widths.push(width);
                pos = self.format(pos, line0, this);
                self.widths.pop();
                line0 = this;
            }
            this += 1;
        }
        self.write_lines(pos, line0, line1)
    }
}

/// kubectl's `PrefixWriter` over the tab writer: `write(level, text)` indents by two spaces per level.
#[derive(Debug)]
pub struct PrefixWriter {
    tw: TabWriter,
    /// Extra levels added to every write: kubectl's `NestedPrefixWriter`.
    indent: usize,
    /// A prefix writer straight onto a buffer, tabs left as they are (`rollout history --revision`).
    raw: Option<String>,
}

pub const LEVEL_0: usize = 0;
pub const LEVEL_1: usize = 1;
pub const LEVEL_2: usize = 2;
pub const LEVEL_3: usize = 3;

impl Default for PrefixWriter {
    fn default() -> Self {
        PrefixWriter::new()
    }
}

impl PrefixWriter {
    pub fn new() -> PrefixWriter {
        PrefixWriter { tw: TabWriter::new(), indent: 0, raw: None }
    }

    /// `NewPrefixWriter(buf)` without a tab writer in between.
    pub fn raw() -> PrefixWriter {
        PrefixWriter { tw: TabWriter::new(), indent: 0, raw: Some(String::new()) }
    }

    fn put(&mut self, s: &str) {
        match &mut self.raw {
            Some(out) => out.push_str(s),
            None => self.tw.write(s),
        }
    }

    /// `Write(level, format, ...)`: the text is already formatted; it is escaped as kubectl escapes
    /// terminal control characters.
    pub fn write(&mut self, level: usize, text: &str) {
        let mut s = "  ".repeat(level + self.indent);
        s.push_str(text);
        self.put(&escape_terminal(&s));
    }

    /// `WriteLine(a...)`: the text and a newline, without indentation (a nested writer indents it).
    pub fn write_line(&mut self, text: &str) {
        let s = format!("{}{text}\n", "  ".repeat(self.indent));
        self.put(&escape_terminal(&s));
    }

    /// Runs `f` with every write indented by `levels` more: `NewNestedPrefixWriter(w, levels)`.
    pub fn nest(&mut self, levels: usize, f: impl FnOnce(&mut PrefixWriter)) {
        self.indent += levels;
        f(self);
        self.indent -= levels;
    }

    /// `Flush()`: ends every column block.
    pub fn flush(&mut self) {
        self.tw.flush();
    }

    /// The finished text (`tabbedString`).
    pub fn finish(mut self) -> String {
        if let Some(out) = self.raw.take() {
            return out;
        }
        self.tw.flush();
        self.tw.out
    }
}

/// cli-runtime's `printers.WriteEscaped`: ESC and CR could rewrite the user's terminal, so kubectl shows
/// them as `^[` and `\r`.
fn escape_terminal(s: &str) -> String {
    if !s.contains(['\x1b', '\r']) {
        return s.to_string();
    }
    s.replace('\x1b', "^[").replace('\r', "\\r")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tabbed(lines: &[&str]) -> String {
        let mut w = PrefixWriter::new();
        for l in lines {
            w.write(LEVEL_0, l);
        }
        w.finish()
    }

    #[test]
    fn a_line_without_tabs_ends_the_column_block() {
        let out =
            tabbed(&["Name:\tweb\n", "Status:\tRunning\n", "IPs:\n", "  IP:\t10.0.0.1\n", "Controlled By:\tRS/x\n"]);
        assert_eq!(out, "Name:    web\nStatus:  Running\nIPs:\n  IP:           10.0.0.1\nControlled By:  RS/x\n");
    }

    #[test]
    fn nested_columns_and_empty_cells() {
        let out = tabbed(&["a\tbb\tc\n", "aaa\t\td\n", "x:\tlast\n"]);
        assert_eq!(out, "a    bb  c\naaa      d\nx:   last\n");
    }

    #[test]
    fn trailing_cell_text_is_never_padded() {
        assert_eq!(tabbed(&["Message:\t\n", "Longer key:\tv\n"]), "Message:     \nLonger key:  v\n");
    }

    #[test]
    fn widths_count_characters_not_bytes() {
        assert_eq!(tabbed(&["é:\tx\n", "ab:\ty\n"]), "é:   x\nab:  y\n");
    }

    #[test]
    fn terminal_escapes_are_neutralised() {
        assert_eq!(tabbed(&["a:\t\x1b[31mred\r\n"]), "a:  ^[[31mred\\r\n");
    }
}
