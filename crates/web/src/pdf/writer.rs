//! A small page-flowing PDF writer on an embedded Unicode font.
//!
//! Text is set in DejaVu Sans (regular and bold, shipped in `crates/web/fonts/` with its
//! licence), embedded as a subset: a Type0 font over a CIDFontType2 with `Identity-H` encoding,
//! glyph widths from the font, and a `ToUnicode` CMap so that the text can be extracted and
//! searched. Any character the font has prints (Łódź, Ελλάδα, Москва); one it lacks prints
//! as "?". Nothing is read from the system or downloaded.

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream, StringFormat};
use std::collections::BTreeMap;
use std::sync::LazyLock;
use subsetter::GlyphRemapper;

pub const PAGE_WIDTH: f32 = 595.0;
pub const PAGE_HEIGHT: f32 = 842.0;
pub const MARGIN: f32 = 50.0;
const BOTTOM: f32 = 70.0;

/// Why a document could not be made (never the reader's input: a bug or a broken font).
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("{0}")]
    Pdf(#[from] lopdf::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("font subset: {0:?}")]
    Font(subsetter::Error),
}

struct FontFile {
    /// The PostScript name, after the subset tag.
    name: &'static str,
    /// Six capital letters naming the subset (PDF 32000-1, 9.6.4).
    tag: &'static str,
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
}

fn load(name: &'static str, tag: &'static str, data: &'static [u8]) -> FontFile {
    // The fonts are compiled in; `fonts_parse` in the tests below proves they parse.
    let face = ttf_parser::Face::parse(data, 0).expect("the embedded font parses");
    FontFile {
        name,
        tag,
        data,
        face,
    }
}

static REGULAR: LazyLock<FontFile> = LazyLock::new(|| {
    load(
        "DejaVuSans",
        "FAKTRA",
        include_bytes!("../../fonts/DejaVuSans.ttf"),
    )
});
static BOLD: LazyLock<FontFile> = LazyLock::new(|| {
    load(
        "DejaVuSans-Bold",
        "FAKTRB",
        include_bytes!("../../fonts/DejaVuSans-Bold.ttf"),
    )
});

fn font(bold: bool) -> &'static FontFile {
    if bold {
        &BOLD
    } else {
        &REGULAR
    }
}

impl FontFile {
    /// The glyph for a character: its own, else "?" (so nothing silently disappears).
    fn glyph(&self, c: char) -> u16 {
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'))
            .map(|g| g.0)
            .unwrap_or(0)
    }

    /// A glyph's advance in thousandths of an em (PDF text space units).
    fn advance(&self, glyph: u16) -> f32 {
        let units = f32::from(self.face.units_per_em().max(1));
        let advance = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .unwrap_or(0);
        f32::from(advance) * 1000.0 / units
    }

    fn scaled(&self, value: i16) -> i64 {
        let units = i64::from(self.face.units_per_em().max(1));
        i64::from(value) * 1000 / units
    }
}

pub fn char_width(c: char, size: f32, bold: bool) -> f32 {
    let font = font(bold);
    font.advance(font.glyph(c)) * size / 1000.0
}

pub fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    text.chars().map(|c| char_width(c, size, bold)).sum()
}

/// Cuts text to fit a width, ending with "…" when cut.
pub fn fit(text: &str, size: f32, width: f32) -> String {
    if text_width(text, size, false) <= width {
        return text.to_owned();
    }
    let room = width - text_width("…", size, false);
    let mut out = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = char_width(c, size, false);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Breaks text into lines that fit a width, at spaces where it can (long words are cut).
pub fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, size, false) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if text_width(word, size, false) <= width {
            line = word.to_owned();
        } else {
            lines.push(fit(word, size, width));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The glyphs one font used so far: their new (subset) ids, which are also their CIDs.
struct UsedGlyphs {
    remapper: GlyphRemapper,
    /// CID → the text it stands for (for ToUnicode) and its width.
    cids: BTreeMap<u16, (char, f32)>,
}

impl UsedGlyphs {
    fn new() -> Self {
        UsedGlyphs {
            remapper: GlyphRemapper::new(),
            cids: BTreeMap::new(),
        }
    }
}

/// A minimal page-flowing writer: text at positions, right-aligned numbers, rules.
pub struct PdfWriter {
    pages: Vec<Vec<Operation>>,
    current: Vec<Operation>,
    /// The baseline of the next line, from the bottom of the page.
    pub y: f32,
    regular: UsedGlyphs,
    bold: UsedGlyphs,
}

impl Default for PdfWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl PdfWriter {
    pub fn new() -> Self {
        PdfWriter {
            pages: Vec::new(),
            current: Vec::new(),
            y: PAGE_HEIGHT - MARGIN,
            regular: UsedGlyphs::new(),
            bold: UsedGlyphs::new(),
        }
    }

    /// The text as two-byte CIDs of the (bold or regular) subset.
    fn encode(&mut self, text: &str, bold: bool) -> Vec<u8> {
        let file = font(bold);
        let used = if bold {
            &mut self.bold
        } else {
            &mut self.regular
        };
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let glyph = file.glyph(c);
            let cid = used.remapper.remap(glyph);
            let shown = if file.face.glyph_index(c).is_some() {
                c
            } else {
                '?'
            };
            used.cids.entry(cid).or_insert((shown, file.advance(glyph)));
            bytes.extend_from_slice(&cid.to_be_bytes());
        }
        bytes
    }

    pub fn text(&mut self, x: f32, size: f32, bold: bool, text: &str) {
        let encoded = self.encode(text, bold);
        let font = if bold { "F2" } else { "F1" };
        self.current.extend([
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec![font.into(), size.into()]),
            Operation::new("Td", vec![x.into(), self.y.into()]),
            Operation::new(
                "Tj",
                vec![Object::String(encoded, StringFormat::Hexadecimal)],
            ),
            Operation::new("ET", vec![]),
        ]);
    }

    pub fn text_right(&mut self, right: f32, size: f32, bold: bool, text: &str) {
        let x = right - text_width(text, size, bold);
        self.text(x, size, bold, text);
    }

    pub fn rule(&mut self) {
        let y = self.y + 4.0;
        self.current.extend([
            Operation::new("w", vec![0.5.into()]),
            Operation::new("m", vec![MARGIN.into(), y.into()]),
            Operation::new("l", vec![(PAGE_WIDTH - MARGIN).into(), y.into()]),
            Operation::new("S", vec![]),
        ]);
    }

    /// Moves down by `dy`, starting a new page when the bottom is reached.
    pub fn down(&mut self, dy: f32) {
        self.y -= dy;
        if self.y < BOTTOM {
            self.new_page();
        }
    }

    pub fn new_page(&mut self) {
        let page = std::mem::take(&mut self.current);
        self.pages.push(page);
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// The finished document as bytes.
    pub fn finish(mut self, title: &str) -> Result<Vec<u8>, PdfError> {
        if !self.current.is_empty() || self.pages.is_empty() {
            self.new_page();
        }
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.try_new_object_id()?;
        let regular = embed(&mut doc, &REGULAR, &self.regular)?;
        let bold = embed(&mut doc, &BOLD, &self.bold)?;
        let resources = doc.try_add_object(dictionary! {
            "Font" => dictionary! { "F1" => regular, "F2" => bold },
        })?;
        let mut kids = Vec::new();
        let count = self.pages.len();
        for operations in self.pages {
            let content = Content { operations };
            let stream = doc.try_add_object(Stream::new(dictionary! {}, content.encode()?))?;
            let page = doc.try_add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "Contents" => stream,
            })?;
            kids.push(Object::Reference(page));
        }
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => kids,
                "Count" => count as i64,
                "Resources" => resources,
                "MediaBox" => vec![0.into(), 0.into(), PAGE_WIDTH.into(), PAGE_HEIGHT.into()],
            }),
        );
        let catalog = doc.try_add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
        })?;
        let info = doc.try_add_object(dictionary! {
            "Title" => text_string(title),
            "Producer" => Object::string_literal("Faktura"),
        })?;
        doc.trailer.set("Root", catalog);
        doc.trailer.set("Info", info);
        compress_streams(&mut doc)?;
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes)?;
        Ok(bytes)
    }
}

/// Deflates every stream not yet filtered, at zlib's default level. lopdf's own `compress`
/// takes the best level (9), whose long match searches were a sixth of the server's CPU while
/// payments came in (each payment mails a receipt PDF); the default level costs a fraction of
/// that for a few per cent more bytes.
fn compress_streams(doc: &mut Document) -> Result<(), PdfError> {
    use flate2::write::ZlibEncoder;
    use flate2::Compression;
    use std::io::Write as _;
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(&stream.content)?;
        let compressed = encoder.finish()?;
        // As lopdf does: keep a stream as it is when deflating would not save its filter entry.
        if compressed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
    }
    Ok(())
}

/// A PDF text string in UTF-16BE with its byte-order mark (any Unicode title).
fn text_string(text: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// Embeds the subset of `file` that `used` needs; returns the Type0 font's object id.
fn embed(
    doc: &mut Document,
    file: &FontFile,
    used: &UsedGlyphs,
) -> Result<lopdf::ObjectId, PdfError> {
    let subset = subsetter::subset(file.data, 0, &used.remapper).map_err(PdfError::Font)?;
    let base_font = format!("{}+{}", file.tag, file.name);
    let length = subset.len() as i64;
    let font_file = doc.try_add_object(Stream::new(dictionary! { "Length1" => length }, subset))?;
    let face = &file.face;
    let bbox = face.global_bounding_box();
    let descriptor = doc.try_add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => Object::Name(base_font.clone().into_bytes()),
        // Non-symbolic (uses the standard Latin character set and more).
        "Flags" => 32,
        "FontBBox" => vec![
            file.scaled(bbox.x_min).into(),
            file.scaled(bbox.y_min).into(),
            file.scaled(bbox.x_max).into(),
            file.scaled(bbox.y_max).into(),
        ],
        "ItalicAngle" => 0,
        "Ascent" => file.scaled(face.ascender()),
        "Descent" => file.scaled(face.descender()),
        "CapHeight" => file.scaled(face.capital_height().unwrap_or(face.ascender())),
        "StemV" => if file.tag == "FAKTRB" { 120 } else { 80 },
        "FontFile2" => font_file,
    })?;
    // Widths of every CID used: [cid [w] cid [w] …].
    let mut widths = Vec::new();
    for (cid, (_, width)) in &used.cids {
        widths.push(Object::Integer(i64::from(*cid)));
        widths.push(Object::Array(vec![Object::Real(*width)]));
    }
    let cid_font = doc.try_add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => Object::Name(base_font.clone().into_bytes()),
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor,
        "DW" => 1000,
        "W" => widths,
        "CIDToGIDMap" => "Identity",
    })?;
    let to_unicode = doc.try_add_object(Stream::new(dictionary! {}, to_unicode_cmap(used)))?;
    Ok(doc.try_add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => Object::Name(base_font.into_bytes()),
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Reference(cid_font)],
        "ToUnicode" => to_unicode,
    })?)
}

/// The CMap that tells readers (search, copy, screen readers) which text each CID stands for.
fn to_unicode_cmap(used: &UsedGlyphs) -> Vec<u8> {
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(u16, char)> = used
        .cids
        .iter()
        .filter(|(cid, _)| **cid != 0)
        .map(|(cid, (c, _))| (*cid, *c))
        .collect();
    // At most 100 mappings per block.
    for block in entries.chunks(100) {
        out.push_str(&format!("{} beginbfchar\n", block.len()));
        for (cid, c) in block {
            let mut utf16 = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut utf16)
                .iter()
                .map(|unit| format!("{unit:04X}"))
                .collect();
            out.push_str(&format!("<{cid:04X}> <{hex}>\n"));
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_parse_and_cover_more_than_western_europe() {
        for bold in [false, true] {
            let file = font(bold);
            for c in "Łódź Ελλάδα Москва Æble Øre Åen €".chars() {
                assert!(file.face.glyph_index(c).is_some(), "{c:?} in {}", file.name);
            }
            assert!(text_width("W", 10.0, bold) > text_width("i", 10.0, bold));
        }
    }

    #[test]
    fn wrapping_keeps_every_word() {
        let text = "Reserved VM instances, D16s v5, 3 years, upfront";
        let lines = wrap(text, 9.0, 120.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l, 9.0, false) <= 120.0));
        assert_eq!(lines.join(" "), text);
        assert_eq!(wrap("", 9.0, 100.0), vec![String::new()]);
        let long = wrap(&"x".repeat(200), 9.0, 50.0);
        assert!(long[0].ends_with('…'));
        assert!(text_width(&long[0], 9.0, false) <= 50.0);
    }

    #[test]
    fn an_empty_writer_still_makes_a_pdf() {
        let bytes = PdfWriter::new().finish("t").unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
    }

    #[test]
    fn unicode_text_reads_back_from_the_pdf() {
        let mut pdf = PdfWriter::new();
        pdf.text(MARGIN, 12.0, false, "Łódź Ελλάδα");
        pdf.down(20.0);
        pdf.text(MARGIN, 12.0, true, "Москва 1.234,50 kr.");
        pdf.down(20.0);
        // A character DejaVu Sans lacks becomes "?", never nothing.
        pdf.text(MARGIN, 12.0, false, "a\u{1F9FE}b");
        let bytes = pdf.finish("Faktura Łódź").unwrap();
        let doc = Document::load_mem(&bytes).unwrap();
        let text = doc.extract_text(&[1]).unwrap();
        assert!(text.contains("Łódź Ελλάδα"), "{text}");
        assert!(text.contains("Москва 1.234,50 kr."), "{text}");
        assert!(text.contains("a?b"), "{text}");
        // The fonts are embedded as subsets, not whole (DejaVu Sans alone is 740 KiB).
        assert!(bytes.len() < 60_000, "{} bytes", bytes.len());
        let fonts = doc.get_pages()[&1];
        let fonts = doc.get_page_fonts(fonts).unwrap();
        assert_eq!(fonts.len(), 2);
        for font in fonts.values() {
            assert_eq!(font.get(b"Subtype").unwrap().as_name().unwrap(), b"Type0");
        }
    }

    #[test]
    fn streams_are_deflated_and_read_back() {
        let mut pdf = PdfWriter::new();
        for line in 0..40 {
            pdf.text(
                MARGIN,
                10.0,
                line % 2 == 0,
                &format!("Linje {line}: 1.234,50 kr."),
            );
            pdf.down(14.0);
        }
        let bytes = pdf.finish("Kvittering").unwrap();
        let doc = Document::load_mem(&bytes).unwrap();
        let streams: Vec<&lopdf::Stream> = doc
            .objects
            .values()
            .filter_map(|object| object.as_stream().ok())
            .collect();
        assert!(streams.len() >= 3, "{} streams", streams.len());
        for stream in streams {
            // Every stream long enough to gain from it is deflated, and inflates again.
            if stream.content.len() > 200 {
                assert_eq!(
                    stream.dict.get(b"Filter").unwrap().as_name().unwrap(),
                    b"FlateDecode"
                );
                assert!(stream.decompressed_content().unwrap().len() > stream.content.len());
            }
        }
        assert!(doc
            .extract_text(&[1])
            .unwrap()
            .contains("Linje 39: 1.234,50 kr."));
    }
}
