//! Pure, I/O-free zip reading for range-request fetching.
//!
//! The caller fetches bytes over HTTP; this module only interprets them. The flow is:
//! fetch the last [`TAIL_BYTES`] → [`find_central_directory`] (refetch if it answers
//! [`Tail::NeedFrom`]) → [`parse_central_directory`] → [`plan_ranges`] for the wanted members →
//! fetch each range → [`extract_member`] for each member in it.
//!
//! Every offset and length read from the archive is untrusted: all slicing is checked and all
//! arithmetic on such values is checked, so a hostile or corrupt file yields an error, never a
//! panic or an unbounded allocation.

use std::io::Read;

/// How many bytes to fetch first from the end of the file.
///
/// The end-of-central-directory record is 22 bytes plus a comment of up to 65,535 bytes, and a
/// ZIP64 archive adds a 20-byte locator and a 56-byte (or longer) ZIP64 record before it, so
/// about 64 KiB is the least that always finds the directory's location in one request. Torch
/// wheels carry a central directory of roughly 1–2 MB (about 15k entries), so 4 MiB also covers
/// the whole directory for typical wheels with room to spare, saving a second round trip; that
/// is under 7% of even the smallest (60 MB) wheel we read.
pub const TAIL_BYTES: u64 = 4 * 1024 * 1024;

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD_LEN: usize = 22;
const MAX_COMMENT: usize = 0xFFFF;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_LOCATOR_LEN: usize = 20;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const ZIP64_EOCD_LEN: usize = 56;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const CENTRAL_LEN: usize = 46;
const LOCAL_SIG: u32 = 0x0403_4b50;
const LOCAL_LEN: usize = 30;
const ZIP64_EXTRA_ID: u16 = 0x0001;

const FLAG_ENCRYPTED: u16 = 1;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATED: u16 = 8;

/// One member as described by the central directory (sizes and offset already widened from
/// the ZIP64 extra field where present).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdEntry {
    /// Member path inside the archive, e.g. `torch/nn/functional.py`.
    pub name: String,
    /// Compression method (0 = stored, 8 = deflate).
    pub method: u16,
    /// General-purpose bit flags (bit 0 = encrypted, bit 3 = data descriptor, bit 11 = UTF-8).
    pub flags: u16,
    /// CRC-32 of the uncompressed data.
    pub crc32: u32,
    /// Size of the member's data as stored in the file.
    pub compressed_size: u64,
    /// Size of the member's data once inflated.
    pub uncompressed_size: u64,
    /// Absolute file offset of the member's local file header.
    pub local_header_offset: u64,
}

/// Where the central directory lies in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CdLocation {
    /// Absolute file offset of the first central directory header.
    pub offset: u64,
    /// Length of the central directory in bytes.
    pub size: u64,
    /// Number of entries the end record claims.
    pub entries: u64,
}

/// Outcome of [`find_central_directory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// The central directory's location, validated against the file's length.
    Found(CdLocation),
    /// The bytes from `from` to the end of the file are needed (a ZIP64 record or a long
    /// comment lies before the tail given).
    NeedFrom {
        /// Absolute file offset to fetch from (through the end of the file).
        from: u64,
    },
}

/// Everything that can be wrong with an archive or with the bytes handed in.
#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    /// The tail slice does not end exactly at the end of the file.
    #[error(
        "the tail given ({tail_len} bytes from offset {tail_start}) does not end at the file's end \
         ({file_len} bytes); fetch the tail again from offset {tail_start} through the end"
    )]
    TailMismatch {
        /// Length of the tail slice.
        tail_len: u64,
        /// Claimed offset of the tail slice.
        tail_start: u64,
        /// Claimed file length.
        file_len: u64,
    },
    /// No end-of-central-directory record could be found.
    #[error(
        "no end-of-central-directory record in the last {searched} bytes of the {file_len}-byte \
         file; it is not a zip archive (or it is truncated)"
    )]
    NotAZip {
        /// How many bytes at the end were searched.
        searched: u64,
        /// The file's length.
        file_len: u64,
    },
    /// The archive spans several disks, which wheels never do.
    #[error("the {structure} says the archive spans several disks; multi-disk archives are not supported")]
    MultiDisk {
        /// Which record said so.
        structure: &'static str,
    },
    /// A fixed structure is malformed.
    #[error("the {structure} at offset {offset} is malformed: {problem}; the file is corrupt")]
    Malformed {
        /// Which structure.
        structure: &'static str,
        /// Absolute file offset of the structure.
        offset: u64,
        /// What is wrong.
        problem: String,
    },
    /// The central directory's claimed position is impossible.
    #[error(
        "the central directory claims offset {offset} and size {size}, which does not fit before \
         its end record at offset {limit} in the file's {file_len} bytes; the file is corrupt or \
         truncated"
    )]
    CdOutOfBounds {
        /// Claimed offset.
        offset: u64,
        /// Claimed size.
        size: u64,
        /// Where the directory must end by.
        limit: u64,
        /// The file's length.
        file_len: u64,
    },
    /// The entry count cannot be right.
    #[error(
        "the end record claims {claimed} central directory entries but {found}; the file is corrupt"
    )]
    EntryCountMismatch {
        /// Count from the end record.
        claimed: u64,
        /// What was actually seen, phrased for the message.
        found: String,
    },
    /// The bytes given to [`parse_central_directory`] are not the directory's length.
    #[error(
        "{got} bytes were given for a central directory of {expected} bytes; fetch exactly \
         the directory's range"
    )]
    CdLengthMismatch {
        /// `CdLocation::size`.
        expected: u64,
        /// Length of the bytes given.
        got: u64,
    },
    /// A central directory record runs past the directory's end.
    #[error(
        "central directory entry #{index} at offset {offset} runs past the directory's end \
         ({cd_end}); the file is corrupt"
    )]
    CdRecordOutOfBounds {
        /// Zero-based index of the entry.
        index: u64,
        /// Absolute file offset of the entry.
        offset: u64,
        /// Absolute end of the directory.
        cd_end: u64,
    },
    /// A member's local header would lie inside or after the central directory.
    #[error(
        "member {name:?} claims its local header at offset {offset}, not before the central \
         directory at {cd_offset}; the file is corrupt"
    )]
    LocalOffsetBeyondCd {
        /// Member name.
        name: String,
        /// Claimed local header offset.
        offset: u64,
        /// Central directory offset.
        cd_offset: u64,
    },
    /// The fetched range does not hold the whole local record.
    #[error(
        "the range fetched for member {name:?} ({buf_start}..{buf_end}) does not hold its record \
         (needs {need_start}..{need_end}); the range was truncated, fetch it again"
    )]
    RangeTruncated {
        /// Member name.
        name: String,
        /// Absolute start of the buffer.
        buf_start: u64,
        /// Absolute end of the buffer.
        buf_end: u64,
        /// Absolute start needed.
        need_start: u64,
        /// Absolute end needed (as far as known).
        need_end: u64,
    },
    /// The local header's signature is wrong.
    #[error(
        "member {name:?} has no local file header at offset {offset} (signature {found:#010x}); \
         the central directory or the fetched range is wrong"
    )]
    BadLocalSignature {
        /// Member name.
        name: String,
        /// Absolute offset looked at.
        offset: u64,
        /// Signature found there.
        found: u32,
    },
    /// The local header names a different member.
    #[error(
        "the local header at offset {offset} names {local:?} but the central directory says \
         {central:?}; the file is corrupt"
    )]
    NameMismatch {
        /// Name from the central directory.
        central: String,
        /// Name from the local header.
        local: String,
        /// Absolute offset of the local header.
        offset: u64,
    },
    /// The member is encrypted.
    #[error("member {name:?} is encrypted; encrypted members are not supported")]
    Encrypted {
        /// Member name.
        name: String,
    },
    /// The member uses a compression method other than stored or deflate.
    #[error(
        "member {name:?} uses compression method {method}; only stored (0) and deflate (8) \
         are supported"
    )]
    UnsupportedMethod {
        /// Member name.
        name: String,
        /// Method number.
        method: u16,
    },
    /// The member inflates (or claims to) past the caller's limit.
    #[error(
        "member {name:?} inflates past the {limit}-byte limit; refusing it (possible zip bomb), \
         raise the limit if the member is genuine"
    )]
    TooLarge {
        /// Member name.
        name: String,
        /// The limit given.
        limit: u64,
    },
    /// The deflate stream is corrupt.
    #[error("member {name:?} could not be inflated: {error}; the file is corrupt")]
    Inflate {
        /// Member name.
        name: String,
        /// Decoder error.
        error: std::io::Error,
    },
    /// The data's length disagrees with the central directory.
    #[error(
        "member {name:?} yielded {got} bytes but the central directory says {expected}; \
         the file is corrupt"
    )]
    SizeMismatch {
        /// Member name.
        name: String,
        /// Expected uncompressed size.
        expected: u64,
        /// Actual size.
        got: u64,
    },
    /// The data's CRC-32 disagrees with the central directory.
    #[error(
        "member {name:?} has CRC-32 {got:#010x} but the central directory says {expected:#010x}; \
         the data is corrupt, fetch it again"
    )]
    CrcMismatch {
        /// Member name.
        name: String,
        /// CRC from the central directory.
        expected: u32,
        /// CRC of the extracted data.
        got: u32,
    },
    /// An offset or size does not fit in memory on this platform.
    #[error("{what} ({value}) is too large to address on this platform")]
    TooBigForPlatform {
        /// What the value is.
        what: &'static str,
        /// The value.
        value: u64,
    },
}

// Little-endian readers that return None rather than panic when the slice is short.
fn le16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn le64(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_le_bytes(a))
}

fn to_u64(n: usize) -> u64 {
    // usize is at most 64 bits on every platform Rust supports.
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn to_usize(what: &'static str, value: u64) -> Result<usize, ZipError> {
    usize::try_from(value).map_err(|_| ZipError::TooBigForPlatform { what, value })
}

fn malformed(structure: &'static str, offset: u64, problem: impl Into<String>) -> ZipError {
    ZipError::Malformed {
        structure,
        offset,
        problem: problem.into(),
    }
}

/// Locates the central directory from the file's last bytes.
///
/// `tail` holds the file's bytes from `tail_start` to its end (`file_len`). Finds the EOCD (scan
/// backwards for its signature, checking the comment length fits exactly), follows the ZIP64
/// locator to the ZIP64 EOCD record when fields are saturated (0xFFFF/0xFFFFFFFF), and validates
/// that the directory lies inside the file and before the EOCD. Lying or impossible values →
/// error. When the needed records lie before `tail_start`, answers [`Tail::NeedFrom`].
pub fn find_central_directory(
    tail: &[u8],
    tail_start: u64,
    file_len: u64,
) -> Result<Tail, ZipError> {
    let tail_len = to_u64(tail.len());
    if tail_start.checked_add(tail_len) != Some(file_len) {
        return Err(ZipError::TailMismatch {
            tail_len,
            tail_start,
            file_len,
        });
    }

    // The comment is at most 65535 bytes, so the record starts no earlier than this.
    let max_back = EOCD_LEN + MAX_COMMENT;
    let lowest = tail.len().saturating_sub(max_back);
    let mut found = None;
    if tail.len() >= EOCD_LEN {
        let mut pos = tail.len() - EOCD_LEN;
        loop {
            if le32(tail, pos) == Some(EOCD_SIG) {
                // Requiring the comment to end exactly at the file's end rejects signature
                // bytes that merely occur inside a comment or inside compressed data.
                let comment = le16(tail, pos + 20).map(usize::from);
                if comment == Some(tail.len() - pos - EOCD_LEN) {
                    found = Some(pos);
                    break;
                }
            }
            if pos == lowest {
                break;
            }
            pos -= 1;
        }
    }
    let Some(eocd) = found else {
        // The record may sit before what we were given (a long comment); ask for the most it
        // could need before giving up.
        if tail_start > 0 && tail.len() < max_back {
            return Ok(Tail::NeedFrom {
                from: file_len.saturating_sub(to_u64(max_back)),
            });
        }
        return Err(ZipError::NotAZip {
            searched: to_u64(tail.len().min(max_back)),
            file_len,
        });
    };
    let eocd_abs = tail_start + to_u64(eocd);

    // Fields are known to be in bounds: the record's 22 bytes were checked above.
    let e16 = |at: usize| le16(tail, eocd + at).unwrap_or(0);
    let e32 = |at: usize| le32(tail, eocd + at).unwrap_or(0);
    let disk = e16(4);
    let cd_disk = e16(6);
    let entries_disk = e16(8);
    let entries_total = e16(10);
    let cd_size32 = e32(12);
    let cd_offset32 = e32(16);

    let saturated = disk == 0xFFFF
        || cd_disk == 0xFFFF
        || entries_disk == 0xFFFF
        || entries_total == 0xFFFF
        || cd_size32 == 0xFFFF_FFFF
        || cd_offset32 == 0xFFFF_FFFF;

    let (loc, limit) = if saturated {
        // The ZIP64 locator sits immediately before the EOCD.
        let Some(locator_abs) = eocd_abs.checked_sub(to_u64(ZIP64_LOCATOR_LEN)) else {
            return Err(malformed(
                "end-of-central-directory record",
                eocd_abs,
                "its fields call for a ZIP64 locator but there is no room for one before it",
            ));
        };
        if locator_abs < tail_start {
            // Ask for the locator and the smallest ZIP64 record together, the common layout.
            return Ok(Tail::NeedFrom {
                from: locator_abs.saturating_sub(to_u64(ZIP64_EOCD_LEN)),
            });
        }
        let lrel = eocd - ZIP64_LOCATOR_LEN;
        if le32(tail, lrel) != Some(ZIP64_LOCATOR_SIG) {
            return Err(malformed(
                "ZIP64 end-of-central-directory locator",
                locator_abs,
                "its fields are saturated but no ZIP64 locator signature precedes it",
            ));
        }
        let l_disk = le32(tail, lrel + 4).unwrap_or(0);
        let record_abs = le64(tail, lrel + 8).unwrap_or(0);
        let l_disks = le32(tail, lrel + 16).unwrap_or(0);
        if l_disk != 0 || l_disks > 1 {
            return Err(ZipError::MultiDisk {
                structure: "ZIP64 end-of-central-directory locator",
            });
        }
        let record_end = record_abs.checked_add(to_u64(ZIP64_EOCD_LEN));
        if record_end.is_none_or(|e| e > locator_abs) {
            return Err(malformed(
                "ZIP64 end-of-central-directory locator",
                locator_abs,
                format!("it points at offset {record_abs}, which leaves no room for the ZIP64 record before the locator"),
            ));
        }
        if record_abs < tail_start {
            return Ok(Tail::NeedFrom { from: record_abs });
        }
        let r = to_usize("ZIP64 record offset", record_abs - tail_start)?;
        if le32(tail, r) != Some(ZIP64_EOCD_SIG) {
            return Err(malformed(
                "ZIP64 end-of-central-directory record",
                record_abs,
                "its signature is wrong",
            ));
        }
        let rec_size = le64(tail, r + 4).unwrap_or(0);
        if rec_size < to_u64(ZIP64_EOCD_LEN - 12) {
            return Err(malformed(
                "ZIP64 end-of-central-directory record",
                record_abs,
                format!("it claims a size of {rec_size} bytes, less than the fixed 44"),
            ));
        }
        let r_disk = le32(tail, r + 16).unwrap_or(0);
        let r_cd_disk = le32(tail, r + 20).unwrap_or(0);
        let r_entries_disk = le64(tail, r + 24).unwrap_or(0);
        let r_entries = le64(tail, r + 32).unwrap_or(0);
        if r_disk != 0 || r_cd_disk != 0 || r_entries_disk != r_entries {
            return Err(ZipError::MultiDisk {
                structure: "ZIP64 end-of-central-directory record",
            });
        }
        let loc = CdLocation {
            offset: le64(tail, r + 48).unwrap_or(0),
            size: le64(tail, r + 40).unwrap_or(0),
            entries: r_entries,
        };
        (loc, record_abs)
    } else {
        if disk != 0 || cd_disk != 0 || entries_disk != entries_total {
            return Err(ZipError::MultiDisk {
                structure: "end-of-central-directory record",
            });
        }
        let loc = CdLocation {
            offset: u64::from(cd_offset32),
            size: u64::from(cd_size32),
            entries: u64::from(entries_total),
        };
        (loc, eocd_abs)
    };

    let cd_end = loc.offset.checked_add(loc.size);
    if cd_end.is_none_or(|e| e > limit) {
        return Err(ZipError::CdOutOfBounds {
            offset: loc.offset,
            size: loc.size,
            limit,
            file_len,
        });
    }
    // Each central header is at least 46 bytes, so a count beyond size/46 is a lie; catching it
    // here also bounds what the parser would preallocate.
    if loc.entries > loc.size / to_u64(CENTRAL_LEN) {
        return Err(ZipError::EntryCountMismatch {
            claimed: loc.entries,
            found: format!(
                "a {}-byte directory can hold at most {}",
                loc.size,
                loc.size / to_u64(CENTRAL_LEN)
            ),
        });
    }
    Ok(Tail::Found(loc))
}

fn decode_name(raw: &[u8]) -> String {
    // Bit 11 promises UTF-8; without it the spec says CP437, but wheel builders write UTF-8
    // regardless (Python's zipfile sets bit 11 only for non-ASCII), so lossy UTF-8 is both the
    // common-case-correct and the never-failing choice.
    String::from_utf8_lossy(raw).into_owned()
}

/// Parses the central directory.
///
/// `bytes` = exactly the central directory at `loc` (`CdLocation::size` bytes). Handles the
/// ZIP64 extended-information extra field (0x0001) for sizes/offset, UTF-8 names (flag bit 11;
/// others decoded lossily). Checks the entry count matches, every record is in bounds, every
/// local_header_offset < loc.offset. Rejects nothing else here (methods are checked on extract).
pub fn parse_central_directory(bytes: &[u8], loc: CdLocation) -> Result<Vec<CdEntry>, ZipError> {
    let got = to_u64(bytes.len());
    if got != loc.size {
        return Err(ZipError::CdLengthMismatch {
            expected: loc.size,
            got,
        });
    }
    let cd_end = loc.offset.saturating_add(loc.size);
    // The count is untrusted; never preallocate more than the bytes could hold.
    let cap = usize::try_from(loc.entries)
        .unwrap_or(usize::MAX)
        .min(bytes.len() / CENTRAL_LEN);
    let mut entries = Vec::with_capacity(cap);
    let mut pos = 0usize;
    let mut index = 0u64;
    while pos < bytes.len() {
        let abs = loc.offset.saturating_add(to_u64(pos));
        if le32(bytes, pos) != Some(CENTRAL_SIG) {
            return Err(ZipError::EntryCountMismatch {
                claimed: loc.entries,
                found: format!(
                    "after {index} entries the directory holds {} more bytes that are not a \
                     central directory header",
                    bytes.len() - pos
                ),
            });
        }
        if index >= loc.entries {
            return Err(ZipError::EntryCountMismatch {
                claimed: loc.entries,
                found: "the directory holds more".to_string(),
            });
        }
        let out_of_bounds = || ZipError::CdRecordOutOfBounds {
            index,
            offset: abs,
            cd_end,
        };
        let header = bytes
            .get(pos..pos.checked_add(CENTRAL_LEN).ok_or_else(out_of_bounds)?)
            .ok_or_else(out_of_bounds)?;
        let h16 = |at: usize| le16(header, at).unwrap_or(0);
        let h32 = |at: usize| le32(header, at).unwrap_or(0);
        let flags = h16(8);
        let method = h16(10);
        let crc32 = h32(16);
        let csize32 = h32(20);
        let usize32 = h32(24);
        let name_len = usize::from(h16(28));
        let extra_len = usize::from(h16(30));
        let comment_len = usize::from(h16(32));
        let disk32 = h16(34);
        let offset32 = h32(42);

        let name_start = pos + CENTRAL_LEN;
        let extra_start = name_start + name_len;
        let extra_end = extra_start + extra_len;
        // Three u16 lengths after a bounded position cannot overflow usize.
        let next = extra_end + comment_len;
        if next > bytes.len() {
            return Err(out_of_bounds());
        }
        let name = decode_name(&bytes[name_start..extra_start]);
        let extra = &bytes[extra_start..extra_end];

        let mut compressed_size = u64::from(csize32);
        let mut uncompressed_size = u64::from(usize32);
        let mut local_header_offset = u64::from(offset32);
        let need_u = usize32 == 0xFFFF_FFFF;
        let need_c = csize32 == 0xFFFF_FFFF;
        let need_o = offset32 == 0xFFFF_FFFF;
        if need_u || need_c || need_o || disk32 == 0xFFFF {
            let z = find_extra(extra, ZIP64_EXTRA_ID).ok_or_else(|| {
                malformed(
                    "central directory entry",
                    abs,
                    format!("{name:?} has saturated size/offset fields but no ZIP64 extra field"),
                )
            })?;
            // Only the saturated fields are present, always in this order.
            let mut at = 0usize;
            let mut take = |present: bool, target: &mut u64| -> Result<(), ZipError> {
                if present {
                    *target = le64(z, at).ok_or_else(|| {
                        malformed(
                            "central directory entry",
                            abs,
                            format!("{name:?} has a ZIP64 extra field too short for its saturated fields"),
                        )
                    })?;
                    at += 8;
                }
                Ok(())
            };
            take(need_u, &mut uncompressed_size)?;
            take(need_c, &mut compressed_size)?;
            take(need_o, &mut local_header_offset)?;
        }

        if local_header_offset >= loc.offset {
            return Err(ZipError::LocalOffsetBeyondCd {
                name,
                offset: local_header_offset,
                cd_offset: loc.offset,
            });
        }
        entries.push(CdEntry {
            name,
            method,
            flags,
            crc32,
            compressed_size,
            uncompressed_size,
            local_header_offset,
        });
        pos = next;
        index += 1;
    }
    if index != loc.entries {
        return Err(ZipError::EntryCountMismatch {
            claimed: loc.entries,
            found: format!("the directory holds {index}"),
        });
    }
    Ok(entries)
}

/// Returns the data of the first extra-field block with `id`, or None (also when the extra
/// field is malformed: a block running past the end ends the search).
fn find_extra(mut extra: &[u8], id: u16) -> Option<&[u8]> {
    while extra.len() >= 4 {
        let block_id = le16(extra, 0)?;
        let len = usize::from(le16(extra, 2)?);
        let data = extra.get(4..4 + len)?;
        if block_id == id {
            return Some(data);
        }
        extra = &extra[4 + len..];
    }
    None
}

/// One byte range to fetch and the members whose local records it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangePlan {
    /// Absolute start offset (inclusive).
    pub start: u64,
    /// Absolute end offset (exclusive).
    pub end: u64,
    /// Indexes into the entries slice, in file order.
    pub members: Vec<usize>,
}

/// Plans coalesced byte ranges covering the local records of `wanted`.
///
/// `wanted` holds indexes into `entries`: a member's record spans from its local_header_offset
/// up to the next local header offset of ANY entry in file order (or `cd_offset` for the last
/// one) — that bound is safe because the local header's extra field length is unknown before it
/// is read. Adjacent or near spans (gap <= `max_gap`) are merged into one range; ranges are
/// sorted by start. Duplicate or overlapping offsets are handled without panic; indexes out of
/// range, duplicates in `wanted`, and entries at or past `cd_offset` are skipped.
pub fn plan_ranges(
    entries: &[CdEntry],
    wanted: &[usize],
    cd_offset: u64,
    max_gap: u64,
) -> Vec<RangePlan> {
    let mut offsets: Vec<u64> = entries
        .iter()
        .map(|e| e.local_header_offset)
        .filter(|&o| o < cd_offset)
        .collect();
    offsets.sort_unstable();
    offsets.dedup();

    let mut want: Vec<usize> = wanted
        .iter()
        .copied()
        .filter(|&i| {
            entries
                .get(i)
                .is_some_and(|e| e.local_header_offset < cd_offset)
        })
        .collect();
    want.sort_unstable();
    want.dedup();

    let mut spans: Vec<(u64, u64, usize)> = want
        .into_iter()
        .map(|i| {
            let start = entries[i].local_header_offset;
            // First offset strictly greater than start; entries sharing an offset share a span.
            let k = offsets.partition_point(|&o| o <= start);
            let end = offsets.get(k).copied().unwrap_or(cd_offset);
            (start, end, i)
        })
        .collect();
    spans.sort_unstable();

    let mut plans: Vec<RangePlan> = Vec::new();
    for (start, end, i) in spans {
        match plans.last_mut() {
            Some(p) if start <= p.end.saturating_add(max_gap) => {
                p.end = p.end.max(end);
                p.members.push(i);
            }
            _ => plans.push(RangePlan {
                start,
                end,
                members: vec![i],
            }),
        }
    }
    plans
}

/// Extracts one member from a fetched range and verifies it.
///
/// `buf` holds file bytes starting at `buf_start` (one fetched range). Parses the local header
/// (signature, name length, extra length; the name must equal the central directory's), takes
/// `compressed_size` bytes from the central directory's values (local sizes may be zero when a
/// data descriptor follows), inflates method 8 (raw deflate) or copies method 0, refuses
/// encrypted (flag bit 0) and other methods, refuses to inflate past `max_bytes` (zip bomb
/// guard) and checks the result's length equals uncompressed_size and its CRC-32 equals
/// entry.crc32. A buffer too short for the record → error saying the range was truncated.
pub fn extract_member(
    buf: &[u8],
    buf_start: u64,
    entry: &CdEntry,
    max_bytes: u64,
) -> Result<Vec<u8>, ZipError> {
    let name = &entry.name;
    let lho = entry.local_header_offset;
    let buf_end = buf_start.saturating_add(to_u64(buf.len()));
    let truncated = |need_end: u64| ZipError::RangeTruncated {
        name: name.clone(),
        buf_start,
        buf_end,
        need_start: lho,
        need_end,
    };
    // Checked before touching any bytes so a refused member costs nothing.
    if entry.flags & FLAG_ENCRYPTED != 0 {
        return Err(ZipError::Encrypted { name: name.clone() });
    }
    if entry.method != METHOD_STORED && entry.method != METHOD_DEFLATED {
        return Err(ZipError::UnsupportedMethod {
            name: name.clone(),
            method: entry.method,
        });
    }
    if entry.uncompressed_size > max_bytes {
        return Err(ZipError::TooLarge {
            name: name.clone(),
            limit: max_bytes,
        });
    }

    let header_end_abs = lho.saturating_add(to_u64(LOCAL_LEN));
    let Some(rel) = lho.checked_sub(buf_start) else {
        return Err(truncated(header_end_abs));
    };
    let rel = usize::try_from(rel).map_err(|_| truncated(header_end_abs))?;
    let header = rel
        .checked_add(LOCAL_LEN)
        .and_then(|e| buf.get(rel..e))
        .ok_or_else(|| truncated(header_end_abs))?;
    let sig = le32(header, 0).unwrap_or(0);
    if sig != LOCAL_SIG {
        return Err(ZipError::BadLocalSignature {
            name: name.clone(),
            offset: lho,
            found: sig,
        });
    }
    if le16(header, 6).unwrap_or(0) & FLAG_ENCRYPTED != 0 {
        return Err(ZipError::Encrypted { name: name.clone() });
    }
    let name_len = usize::from(le16(header, 26).unwrap_or(0));
    let extra_len = usize::from(le16(header, 28).unwrap_or(0));

    // rel + 30 is within buf, so adding two u16 lengths cannot overflow usize.
    let name_start = rel + LOCAL_LEN;
    let data_start = name_start + name_len + extra_len;
    let data_start_abs = buf_start.saturating_add(to_u64(data_start));
    let data_end_abs = data_start_abs.saturating_add(entry.compressed_size);
    let local_name = buf
        .get(name_start..name_start + name_len)
        .ok_or_else(|| truncated(data_end_abs))?;
    let local_name = decode_name(local_name);
    if local_name != *name {
        return Err(ZipError::NameMismatch {
            central: name.clone(),
            local: local_name,
            offset: lho,
        });
    }
    let data_end = usize::try_from(entry.compressed_size)
        .ok()
        .and_then(|c| data_start.checked_add(c))
        .ok_or_else(|| truncated(data_end_abs))?;
    let data = buf
        .get(data_start..data_end)
        .ok_or_else(|| truncated(data_end_abs))?;

    let out = if entry.method == METHOD_STORED {
        data.to_vec()
    } else {
        // The declared size is checked against max_bytes above, but it is untrusted, so the
        // decoder is also capped: read one byte past the limit to tell "exactly at" from "over".
        let cap = max_bytes.saturating_add(1);
        let mut out = Vec::with_capacity(
            usize::try_from(entry.uncompressed_size.min(64 * 1024 * 1024)).unwrap_or(0),
        );
        flate2::read::DeflateDecoder::new(data)
            .take(cap)
            .read_to_end(&mut out)
            .map_err(|error| ZipError::Inflate {
                name: name.clone(),
                error,
            })?;
        if to_u64(out.len()) > max_bytes {
            return Err(ZipError::TooLarge {
                name: name.clone(),
                limit: max_bytes,
            });
        }
        out
    };
    if to_u64(out.len()) != entry.uncompressed_size {
        return Err(ZipError::SizeMismatch {
            name: name.clone(),
            expected: entry.uncompressed_size,
            got: to_u64(out.len()),
        });
    }
    let crc = crc32fast::hash(&out);
    if crc != entry.crc32 {
        return Err(ZipError::CrcMismatch {
            name: name.clone(),
            expected: entry.crc32,
            got: crc,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;
    use zip::CompressionMethod;

    struct Member<'a> {
        name: &'a str,
        data: Vec<u8>,
        deflate: bool,
        large: bool,
    }

    fn m(name: &str, data: impl Into<Vec<u8>>, deflate: bool) -> Member<'_> {
        Member {
            name,
            data: data.into(),
            deflate,
            large: false,
        }
    }

    fn build(members: &[Member<'_>], comment: Option<Vec<u8>>) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for mem in members {
            let method = if mem.deflate {
                CompressionMethod::Deflated
            } else {
                CompressionMethod::Stored
            };
            let opts = SimpleFileOptions::default()
                .compression_method(method)
                .large_file(mem.large);
            w.start_file(mem.name, opts).unwrap();
            w.write_all(&mem.data).unwrap();
        }
        if let Some(c) = comment {
            w.set_raw_comment(c.into());
        }
        w.finish().unwrap().into_inner()
    }

    fn py_source(tag: &str, lines: usize) -> Vec<u8> {
        (0..lines)
            .map(|i| format!("def {tag}_{i}(x):\n    return x * {i}  # {tag}\n"))
            .collect::<String>()
            .into_bytes()
    }

    /// Bytes that deflate poorly, so gaps between members are real.
    fn noise(len: usize, seed: u32) -> Vec<u8> {
        let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                s as u8
            })
            .collect()
    }

    fn wheel_members() -> Vec<Member<'static>> {
        vec![
            m("torch/__init__.py", py_source("init", 40), false),
            m("torch/nn/functional.py", py_source("functional", 400), true),
            m("torch/lib/libtorch_cpu.so", noise(50_000, 7), true),
            m("torch/nn/modules/linear.py", py_source("linear", 80), true),
            m("torch/_C.pyi", noise(3_000, 9), false),
            m("torch/utils/data/__init__.py", py_source("data", 5), false),
            m(
                "torch-2.4.0.dist-info/METADATA",
                b"Metadata-Version: 2.1\nName: torch\nVersion: 2.4.0\n".to_vec(),
                true,
            ),
        ]
    }

    /// Simulates a range-request client: fetches a tail of `first_tail` bytes, refetches on
    /// NeedFrom, and returns the location and how many tail fetches it took.
    fn locate(file: &[u8], first_tail: u64) -> Result<(CdLocation, usize), ZipError> {
        let len = file.len() as u64;
        let mut from = len.saturating_sub(first_tail);
        for fetches in 1..=4 {
            let tail = &file[from as usize..];
            match find_central_directory(tail, from, len)? {
                Tail::Found(loc) => return Ok((loc, fetches)),
                Tail::NeedFrom { from: f } => {
                    assert!(f < from, "NeedFrom must ask for more bytes ({f} vs {from})");
                    from = f;
                }
            }
        }
        panic!("too many refetches");
    }

    type Extracted = Vec<(String, Vec<u8>)>;

    /// The whole pipeline over `file`, extracting every `.py` member via planned ranges.
    fn extract_py(
        file: &[u8],
        first_tail: u64,
        max_gap: u64,
    ) -> Result<(Extracted, Vec<RangePlan>), ZipError> {
        let (loc, _) = locate(file, first_tail)?;
        let cd = &file[loc.offset as usize..(loc.offset + loc.size) as usize];
        let entries = parse_central_directory(cd, loc)?;
        let wanted: Vec<usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.name.ends_with(".py"))
            .map(|(i, _)| i)
            .collect();
        let plans = plan_ranges(&entries, &wanted, loc.offset, max_gap);
        let mut out = Vec::new();
        for p in &plans {
            assert!(p.start < p.end && p.end <= loc.offset);
            let buf = &file[p.start as usize..p.end as usize];
            for &i in &p.members {
                let data = extract_member(buf, p.start, &entries[i], 1 << 30)?;
                out.push((entries[i].name.clone(), data));
            }
        }
        Ok((out, plans))
    }

    fn check_py(members: &[Member<'_>], got: &[(String, Vec<u8>)]) {
        let expected: Vec<&Member<'_>> =
            members.iter().filter(|m| m.name.ends_with(".py")).collect();
        assert_eq!(got.len(), expected.len());
        for mem in expected {
            let (_, data) = got
                .iter()
                .find(|(n, _)| n == mem.name)
                .unwrap_or_else(|| panic!("{} not extracted", mem.name));
            assert_eq!(data, &mem.data, "{}", mem.name);
        }
    }

    fn eocd_pos(file: &[u8]) -> usize {
        (0..=file.len() - 22)
            .rev()
            .find(|&p| file[p..p + 4] == [0x50, 0x4b, 0x05, 0x06])
            .unwrap()
    }

    /// Rewrites a plain archive's end into ZIP64 form: ZIP64 record + locator + an EOCD whose
    /// fields are all saturated, keeping the comment.
    fn to_zip64_end(file: &[u8]) -> Vec<u8> {
        let p = eocd_pos(file);
        let entries = u64::from(le16(file, p + 10).unwrap());
        let size = u64::from(le32(file, p + 12).unwrap());
        let offset = u64::from(le32(file, p + 16).unwrap());
        let comment = file[p + 20..].to_vec();
        let mut out = file[..p].to_vec();
        let rec = out.len() as u64;
        out.extend_from_slice(&ZIP64_EOCD_SIG.to_le_bytes());
        out.extend_from_slice(&44u64.to_le_bytes());
        out.extend_from_slice(&45u16.to_le_bytes());
        out.extend_from_slice(&45u16.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&entries.to_le_bytes());
        out.extend_from_slice(&entries.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&ZIP64_LOCATOR_SIG.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&rec.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&EOCD_SIG.to_le_bytes());
        out.extend_from_slice(&[0xFF; 16]);
        out.extend_from_slice(&comment); // comment length + comment
        out
    }

    fn first_entry(file: &[u8], name: &str) -> (CdLocation, CdEntry) {
        let (loc, _) = locate(file, TAIL_BYTES).unwrap();
        let cd = &file[loc.offset as usize..(loc.offset + loc.size) as usize];
        let e = parse_central_directory(cd, loc)
            .unwrap()
            .into_iter()
            .find(|e| e.name == name)
            .unwrap();
        (loc, e)
    }

    #[test]
    fn end_to_end_wheel_like_archive() {
        let members = wheel_members();
        let file = build(&members, None);
        let (got, plans) = extract_py(&file, TAIL_BYTES, 64).unwrap();
        check_py(&members, &got);
        // The 50 KB binary sits between functional.py and linear.py, so they cannot merge.
        assert!(plans.len() >= 2, "{plans:?}");
        assert!(plans.windows(2).all(|w| w[0].end < w[1].start));
    }

    #[test]
    fn entries_carry_central_directory_fields() {
        let members = wheel_members();
        let file = build(&members, None);
        let (loc, meta) = first_entry(&file, "torch-2.4.0.dist-info/METADATA");
        assert_eq!(loc.entries, members.len() as u64);
        assert_eq!(meta.method, 8);
        assert_eq!(meta.uncompressed_size, members[6].data.len() as u64);
        assert_eq!(meta.crc32, crc32fast::hash(&members[6].data));
        let (_, init) = first_entry(&file, "torch/__init__.py");
        assert_eq!(init.method, 0);
        assert_eq!(init.local_header_offset, 0);
        assert_eq!(init.compressed_size, init.uncompressed_size);
        let buf = &file[..loc.offset as usize];
        assert_eq!(
            extract_member(buf, 0, &meta, 1 << 20).unwrap(),
            members[6].data
        );
    }

    #[test]
    fn small_tail_finds_directory_without_refetch() {
        let members = wheel_members();
        let file = build(&members, None);
        let (loc, fetches) = locate(&file, 22).unwrap();
        assert_eq!(fetches, 1);
        let (loc_full, _) = locate(&file, TAIL_BYTES).unwrap();
        assert_eq!(loc, loc_full);
        let (got, _) = extract_py(&file, 22, 0).unwrap();
        check_py(&members, &got);
    }

    #[test]
    fn long_comment_needs_refetch_then_succeeds() {
        let members = wheel_members();
        let comment = vec![b'c'; 60_000];
        let file = build(&members, Some(comment));
        let len = file.len() as u64;
        let from = len - 1000;
        match find_central_directory(&file[from as usize..], from, len).unwrap() {
            Tail::NeedFrom { from: f } => assert!(f <= len - 60_022),
            other => panic!("expected NeedFrom, got {other:?}"),
        }
        let (_, fetches) = locate(&file, 1000).unwrap();
        assert_eq!(fetches, 2);
        let (got, _) = extract_py(&file, 1000, 16).unwrap();
        check_py(&members, &got);
    }

    #[test]
    fn comment_containing_eocd_signature_is_not_mistaken() {
        let members = wheel_members();
        // A fake EOCD inside the comment whose comment-length field does not fit exactly.
        let mut comment = b"xxPK\x05\x06".to_vec();
        comment.extend_from_slice(&[0u8; 30]);
        let file = build(&members, Some(comment));
        let (got, _) = extract_py(&file, TAIL_BYTES, 0).unwrap();
        check_py(&members, &got);
    }

    #[test]
    fn zip64_extra_fields_are_read() {
        let mut members = wheel_members();
        for mem in &mut members {
            mem.large = true;
        }
        let file = build(&members, None);
        let (loc, e) = first_entry(&file, "torch/nn/functional.py");
        assert_eq!(e.uncompressed_size, members[1].data.len() as u64);
        assert!(e.compressed_size < e.uncompressed_size);
        assert!(loc.offset > 0);
        let (got, _) = extract_py(&file, TAIL_BYTES, 8).unwrap();
        check_py(&members, &got);
    }

    #[test]
    fn zip64_end_record_outside_short_tail_needs_refetch() {
        let mut members = wheel_members();
        members[1].large = true;
        let plain = build(&members, Some(b"built by test".to_vec()));
        let (plain_loc, _) = locate(&plain, TAIL_BYTES).unwrap();
        let file = to_zip64_end(&plain);
        let len = file.len() as u64;
        let eocd = eocd_pos(&file) as u64;
        let record = eocd - 20 - 56;

        // Only the EOCD: the locator (and the record before it) must be fetched.
        let t = &file[eocd as usize..];
        assert_eq!(
            find_central_directory(t, eocd, len).unwrap(),
            Tail::NeedFrom { from: record }
        );
        // The locator but not the record: fetch from the record's offset exactly.
        let t = &file[(eocd - 20) as usize..];
        assert_eq!(
            find_central_directory(t, eocd - 20, len).unwrap(),
            Tail::NeedFrom { from: record }
        );
        let t = &file[record as usize..];
        assert_eq!(
            find_central_directory(t, record, len).unwrap(),
            Tail::Found(plain_loc)
        );
        let (got, _) = extract_py(&file, 30, 0).unwrap();
        check_py(&members, &got);
    }

    #[test]
    fn zip64_locator_pointing_past_itself_is_rejected() {
        let file = build(&wheel_members(), None);
        let mut file = to_zip64_end(&file);
        let loc_at = eocd_pos(&file) - 20;
        let bogus = (file.len() as u64).to_le_bytes();
        file[loc_at + 8..loc_at + 16].copy_from_slice(&bogus);
        let err = find_central_directory(&file, 0, file.len() as u64).unwrap_err();
        assert!(matches!(err, ZipError::Malformed { .. }), "{err}");
    }

    #[test]
    fn crc_mismatch_is_detected() {
        let members = wheel_members();
        let mut file = build(&members, None);
        let (_, e) = first_entry(&file, "torch/__init__.py");
        // Stored member at offset 0: its data follows the 30-byte header and the name.
        let data_at = 30 + e.name.len() + 10;
        file[data_at] ^= 0x20;
        let err = extract_member(&file, 0, &e, 1 << 20).unwrap_err();
        match &err {
            ZipError::CrcMismatch { name, expected, .. } => {
                assert_eq!(name, "torch/__init__.py");
                assert_eq!(*expected, e.crc32);
            }
            other => panic!("expected CrcMismatch, got {other}"),
        }
        assert!(err.to_string().contains("torch/__init__.py"));
    }

    #[test]
    fn directory_offset_past_file_is_rejected() {
        let mut file = build(&wheel_members(), None);
        let p = eocd_pos(&file);
        let len = file.len() as u32;
        file[p + 16..p + 20].copy_from_slice(&(len + 10).to_le_bytes());
        let err = find_central_directory(&file, 0, file.len() as u64).unwrap_err();
        assert!(matches!(err, ZipError::CdOutOfBounds { .. }), "{err}");
        assert!(err.to_string().contains("corrupt or truncated"));
    }

    #[test]
    fn directory_overlapping_end_record_is_rejected() {
        let mut file = build(&wheel_members(), None);
        let p = eocd_pos(&file);
        let size = le32(&file, p + 12).unwrap();
        file[p + 12..p + 16].copy_from_slice(&(size + 1).to_le_bytes());
        let err = find_central_directory(&file, 0, file.len() as u64).unwrap_err();
        assert!(matches!(err, ZipError::CdOutOfBounds { .. }), "{err}");
    }

    #[test]
    fn entry_count_disagreement_is_rejected() {
        let members = wheel_members();
        for delta in [1i32, -1] {
            let mut file = build(&members, None);
            let p = eocd_pos(&file);
            let n = (members.len() as i32 + delta) as u16;
            file[p + 8..p + 10].copy_from_slice(&n.to_le_bytes());
            file[p + 10..p + 12].copy_from_slice(&n.to_le_bytes());
            let (loc, _) = locate(&file, TAIL_BYTES).unwrap();
            let cd = &file[loc.offset as usize..(loc.offset + loc.size) as usize];
            let err = parse_central_directory(cd, loc).unwrap_err();
            assert!(matches!(err, ZipError::EntryCountMismatch { .. }), "{err}");
        }
        // A count no directory of that size could hold is caught before parsing.
        let mut file = build(&members, None);
        let p = eocd_pos(&file);
        file[p + 8..p + 12].copy_from_slice(&[0xFE, 0xFF, 0xFE, 0xFF]);
        let err = find_central_directory(&file, 0, file.len() as u64).unwrap_err();
        assert!(matches!(err, ZipError::EntryCountMismatch { .. }), "{err}");
    }

    #[test]
    fn wrong_directory_length_and_bad_local_offset_are_rejected() {
        let mut file = build(&wheel_members(), None);
        let (loc, _) = locate(&file, TAIL_BYTES).unwrap();
        let cd_range = loc.offset as usize..(loc.offset + loc.size) as usize;
        let short = &file[cd_range.start..cd_range.end - 1];
        assert!(matches!(
            parse_central_directory(short, loc),
            Err(ZipError::CdLengthMismatch { .. })
        ));
        // First central header's local offset field → the directory's own offset.
        let at = cd_range.start + 42;
        file[at..at + 4].copy_from_slice(&(loc.offset as u32).to_le_bytes());
        let err = parse_central_directory(&file[cd_range], loc).unwrap_err();
        assert!(matches!(err, ZipError::LocalOffsetBeyondCd { .. }), "{err}");
    }

    #[test]
    fn truncated_range_is_reported() {
        let members = wheel_members();
        let file = build(&members, None);
        let (loc, e) = first_entry(&file, "torch/nn/functional.py");
        let start = e.local_header_offset as usize;
        let all = &file[..loc.offset as usize];
        // Cut inside the data, inside the header, and a range starting after the header.
        for buf in [
            &all[start..start + 30 + e.name.len() + 5],
            &all[start..start + 10],
        ] {
            let err = extract_member(buf, start as u64, &e, 1 << 20).unwrap_err();
            assert!(matches!(err, ZipError::RangeTruncated { .. }), "{err}");
            assert!(err.to_string().contains("truncated"));
        }
        let err = extract_member(&all[start + 1..], start as u64 + 1, &e, 1 << 20).unwrap_err();
        assert!(matches!(err, ZipError::RangeTruncated { .. }), "{err}");
    }

    #[test]
    fn local_name_mismatch_is_rejected() {
        let mut file = build(&wheel_members(), None);
        let (_, e) = first_entry(&file, "torch/nn/functional.py");
        let name_at = e.local_header_offset as usize + 30;
        file[name_at] = b'X';
        let err = extract_member(&file, 0, &e, 1 << 20).unwrap_err();
        match err {
            ZipError::NameMismatch { central, local, .. } => {
                assert_eq!(central, "torch/nn/functional.py");
                assert_eq!(local, "Xorch/nn/functional.py");
            }
            other => panic!("expected NameMismatch, got {other}"),
        }
    }

    #[test]
    fn bad_local_signature_is_rejected() {
        let file = build(&wheel_members(), None);
        let (_, mut e) = first_entry(&file, "torch/nn/functional.py");
        e.local_header_offset += 1;
        let err = extract_member(&file, 0, &e, 1 << 20).unwrap_err();
        assert!(matches!(err, ZipError::BadLocalSignature { .. }), "{err}");
    }

    #[test]
    fn not_a_zip_is_rejected() {
        let junk = noise(100_000, 3);
        let len = junk.len() as u64;
        assert!(matches!(
            find_central_directory(&junk, 0, len),
            Err(ZipError::NotAZip { .. })
        ));
        // A short tail of a non-zip first asks for the longest possible comment's worth.
        let from = len - 500;
        assert_eq!(
            find_central_directory(&junk[from as usize..], from, len).unwrap(),
            Tail::NeedFrom { from: len - 65_557 }
        );
        assert!(matches!(
            find_central_directory(b"PK", 0, 2),
            Err(ZipError::NotAZip { .. })
        ));
        assert!(matches!(
            find_central_directory(&[], 0, 0),
            Err(ZipError::NotAZip { .. })
        ));
    }

    #[test]
    fn tail_that_does_not_reach_the_end_is_rejected() {
        let file = build(&wheel_members(), None);
        let err = find_central_directory(&file, 0, file.len() as u64 + 1).unwrap_err();
        assert!(matches!(err, ZipError::TailMismatch { .. }), "{err}");
        let err = find_central_directory(&file, u64::MAX, 5).unwrap_err();
        assert!(matches!(err, ZipError::TailMismatch { .. }), "{err}");
    }

    #[test]
    fn deflate_bomb_is_capped() {
        let zeros = vec![0u8; 4 << 20];
        let file = build(&[m("bomb.py", zeros.clone(), true)], None);
        let (_, mut e) = first_entry(&file, "bomb.py");
        assert!(e.compressed_size < 64 * 1024);
        // Honest size over the limit: refused before inflating.
        let err = extract_member(&file, 0, &e, 1 << 20).unwrap_err();
        assert!(matches!(err, ZipError::TooLarge { .. }), "{err}");
        // Lying size under the limit: the decoder cap stops it.
        e.uncompressed_size = 10;
        let err = extract_member(&file, 0, &e, 1 << 20).unwrap_err();
        assert!(
            matches!(err, ZipError::TooLarge { limit, .. } if limit == 1 << 20),
            "{err}"
        );
        assert!(err.to_string().contains("zip bomb"));
        // Exactly at the limit is fine.
        let (_, e) = first_entry(&file, "bomb.py");
        assert_eq!(extract_member(&file, 0, &e, 4 << 20).unwrap(), zeros);
    }

    #[test]
    fn lying_uncompressed_size_is_a_size_mismatch() {
        let file = build(&[m("a.py", py_source("a", 20), true)], None);
        let (_, mut e) = first_entry(&file, "a.py");
        e.uncompressed_size += 1;
        let err = extract_member(&file, 0, &e, 1 << 20).unwrap_err();
        assert!(matches!(err, ZipError::SizeMismatch { .. }), "{err}");
    }

    #[test]
    fn encrypted_and_unknown_methods_are_refused() {
        let file = build(&wheel_members(), None);
        let (_, e) = first_entry(&file, "torch/nn/functional.py");
        let mut enc = e.clone();
        enc.flags |= 1;
        assert!(matches!(
            extract_member(&file, 0, &enc, 1 << 20),
            Err(ZipError::Encrypted { .. })
        ));
        let mut bz = e.clone();
        bz.method = 12;
        let err = extract_member(&file, 0, &bz, 1 << 20).unwrap_err();
        assert!(
            matches!(err, ZipError::UnsupportedMethod { method: 12, .. }),
            "{err}"
        );
    }

    fn entry_at(offset: u64) -> CdEntry {
        CdEntry {
            name: format!("m{offset}.py"),
            method: 0,
            flags: 0,
            crc32: 0,
            compressed_size: 0,
            uncompressed_size: 0,
            local_header_offset: offset,
        }
    }

    #[test]
    fn plan_ranges_merges_near_spans_and_splits_far_ones() {
        // Deliberately not in file order.
        let entries: Vec<CdEntry> = [1000, 0, 100, 200, 1100]
            .into_iter()
            .map(entry_at)
            .collect();
        let cd = 1500;
        // Wanted: offsets 0, 100 (adjacent) and 1000, 1100 (adjacent); 200..1000 is skipped.
        let wanted = [1, 2, 0, 4];
        let split = plan_ranges(&entries, &wanted, cd, 799);
        assert_eq!(
            split,
            vec![
                RangePlan {
                    start: 0,
                    end: 200,
                    members: vec![1, 2]
                },
                RangePlan {
                    start: 1000,
                    end: 1500,
                    members: vec![0, 4]
                },
            ]
        );
        let merged = plan_ranges(&entries, &wanted, cd, 800);
        assert_eq!(
            merged,
            vec![RangePlan {
                start: 0,
                end: 1500,
                members: vec![1, 2, 0, 4]
            }]
        );
        // A lone member ends at the next entry of any kind, not at the next wanted one.
        let one = plan_ranges(&entries, &[2], cd, 0);
        assert_eq!((one[0].start, one[0].end), (100, 200));
    }

    #[test]
    fn plan_ranges_tolerates_duplicates_and_bad_input() {
        let mut entries: Vec<CdEntry> = [0, 50, 50, 300].into_iter().map(entry_at).collect();
        entries.push(entry_at(5000)); // at/after the directory: skipped
                                      // Entries 1 and 2 share offset 50 and so share the span 50..300; 300..400 touches it
                                      // (gap 0) and merges.
        let plans = plan_ranges(&entries, &[1, 2, 2, 99, 4, 3], 400, 0);
        assert_eq!(
            plans,
            vec![RangePlan {
                start: 50,
                end: 400,
                members: vec![1, 2, 3]
            }]
        );
        let plans = plan_ranges(&entries, &[0, 3], 400, 0);
        assert_eq!(plans.len(), 2);
        assert_eq!((plans[0].start, plans[0].end), (0, 50));
        assert!(plan_ranges(&entries, &[], 400, 0).is_empty());
        assert!(plan_ranges(&[], &[0], 400, 0).is_empty());
        let huge_gap = plan_ranges(&entries, &[0, 3], 400, u64::MAX);
        assert_eq!(huge_gap.len(), 1);
        assert_eq!(huge_gap[0].end, 400);
    }

    #[test]
    fn planned_ranges_never_pass_the_directory() {
        let members = wheel_members();
        let file = build(&members, None);
        let (loc, _) = locate(&file, TAIL_BYTES).unwrap();
        let cd = &file[loc.offset as usize..(loc.offset + loc.size) as usize];
        let entries = parse_central_directory(cd, loc).unwrap();
        let all: Vec<usize> = (0..entries.len()).collect();
        for gap in [0, 10, 1 << 20] {
            let plans = plan_ranges(&entries, &all, loc.offset, gap);
            assert!(plans.iter().all(|p| p.end <= loc.offset));
            let covered: usize = plans.iter().map(|p| p.members.len()).sum();
            assert_eq!(covered, entries.len());
            for p in &plans {
                let buf = &file[p.start as usize..p.end as usize];
                for &i in &p.members {
                    extract_member(buf, p.start, &entries[i], 1 << 30).unwrap();
                }
            }
        }
        assert_eq!(plan_ranges(&entries, &all, loc.offset, u64::MAX).len(), 1);
    }

    #[test]
    fn mutated_archives_never_panic() {
        let members = vec![
            m("pkg/a.py", py_source("a", 3), true),
            m("pkg/b.py", py_source("b", 2), false),
        ];
        for file in [
            build(&members, Some(b"note".to_vec())),
            to_zip64_end(&build(&members, None)),
        ] {
            for i in 0..file.len() {
                for v in [0x00, 0xFF, file[i] ^ 0x01, file[i].wrapping_add(1)] {
                    let mut f = file.clone();
                    f[i] = v;
                    let len = f.len() as u64;
                    if let Ok(Tail::Found(loc)) = find_central_directory(&f, 0, len) {
                        let cd = &f[loc.offset as usize..(loc.offset + loc.size) as usize];
                        if let Ok(entries) = parse_central_directory(cd, loc) {
                            let all: Vec<usize> = (0..entries.len()).collect();
                            for p in plan_ranges(&entries, &all, loc.offset, 0) {
                                let buf = &f[p.start as usize..p.end as usize];
                                for &k in &p.members {
                                    let _ = extract_member(buf, p.start, &entries[k], 1 << 20);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
