//! Parses Markdown back with a CommonMark + GFM parser, so exports are checked as a reader sees them.
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

#[derive(Debug, Default)]
pub struct MdDoc {
    /// (level, text)
    pub headings: Vec<(u8, String)>,
    /// Each table: rows of cell texts (the header row first).
    pub tables: Vec<Vec<Vec<String>>>,
    /// (info string, content)
    pub code_blocks: Vec<(String, String)>,
    /// Text of list items.
    pub items: Vec<String>,
    /// Raw HTML the document contains (exports must contain none).
    pub html: Vec<String>,
}

pub fn parse(md: &str) -> MdDoc {
    let mut doc = MdDoc::default();
    let mut text = String::new();
    let mut heading: Option<u8> = None;
    let mut table: Option<Vec<Vec<String>>> = None;
    let mut row: Vec<String> = Vec::new();
    let mut code: Option<String> = None;
    let mut in_item = 0usize;
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some(level as u8);
                text.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                doc.headings
                    .push((heading.take().unwrap_or(0), std::mem::take(&mut text)));
            }
            Event::Start(Tag::Table(_)) => table = Some(Vec::new()),
            Event::End(TagEnd::Table) => doc.tables.extend(table.take()),
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => row.clear(),
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.push(std::mem::take(&mut row));
                }
            }
            Event::Start(Tag::TableCell) => text.clear(),
            Event::End(TagEnd::TableCell) => row.push(std::mem::take(&mut text)),
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(i) => i.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some(info);
                text.clear();
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(info) = code.take() {
                    doc.code_blocks.push((info, std::mem::take(&mut text)));
                }
            }
            Event::Start(Tag::Item) => {
                in_item += 1;
                text.clear();
            }
            Event::End(TagEnd::Item) => {
                in_item -= 1;
                let t = std::mem::take(&mut text);
                doc.items.push(t.trim().to_owned());
            }
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::Html(h) | Event::InlineHtml(h) => doc.html.push(h.to_string()),
            _ => {}
        }
    }
    let _ = in_item;
    doc
}

impl MdDoc {
    pub fn heading(&self, text: &str) -> bool {
        self.headings.iter().any(|(_, h)| h == text)
    }

    /// The table whose header row starts with these cells.
    pub fn table(&self, header_start: &[&str]) -> Option<&Vec<Vec<String>>> {
        self.tables.iter().find(|t| {
            t.first()
                .is_some_and(|h| h.iter().zip(header_start).all(|(a, b)| a == b))
        })
    }
}
