// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! H.264 access units: whether one is a reference picture, from the NAL
//! unit headers only (ITU-T H.264 §7.3.1: `forbidden_zero_bit`,
//! `nal_ref_idc` (2 bits), `nal_unit_type` (5 bits)). A picture whose
//! slices have `nal_ref_idc` 0 is never used to decode another one, so it
//! can be left undecoded (rsstride `drop-non-reference`).
//!
//! Two framings: `avc` (each NAL unit preceded by its length in 1, 2 or 4
//! bytes, the size given by the `codec_data` of the caps) and
//! `byte-stream` (Annex B start codes `00 00 01` / `00 00 00 01`).

/// How NAL units are delimited in a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Length-prefixed, with this many bytes per length (1, 2 or 4).
    Avc(usize),
    /// Annex B start codes.
    ByteStream,
}

/// The length size of `avc` framing from an AVCDecoderConfigurationRecord
/// (`codec_data`): `lengthSizeMinusOne` in the low 2 bits of byte 4.
pub fn avc_length_size(codec_data: &[u8]) -> Option<usize> {
    match codec_data {
        [1, _, _, _, b, ..] => match (b & 3) + 1 {
            3 => None,
            n => Some(n as usize),
        },
        _ => None,
    }
}

/// The NAL unit header bytes of `au`.
fn nal_headers(au: &[u8], framing: Framing) -> Vec<u8> {
    let mut out = Vec::new();
    match framing {
        Framing::Avc(n) => {
            let mut i = 0;
            while i + n < au.len() {
                let len = au[i..i + n]
                    .iter()
                    .fold(0usize, |acc, &b| (acc << 8) | b as usize);
                if len == 0 || i + n + len > au.len() {
                    break;
                }
                out.push(au[i + n]);
                i += n + len;
            }
        }
        Framing::ByteStream => {
            let mut i = 0;
            while i + 3 < au.len() {
                if au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1 {
                    out.push(au[i + 3]);
                    i += 3;
                } else {
                    i += 1;
                }
            }
        }
    }
    out
}

/// Whether the access unit `au` is a reference picture: Some(false) when
/// every coded slice (NAL types 1 and 5) has `nal_ref_idc` 0, Some(true)
/// when one has not, None when it holds no slice or cannot be parsed.
pub fn is_reference(au: &[u8], framing: Framing) -> Option<bool> {
    let slices: Vec<u8> = nal_headers(au, framing)
        .into_iter()
        .filter(|h| h & 0x80 == 0 && matches!(h & 0x1f, 1 | 5))
        .collect();
    (!slices.is_empty()).then(|| slices.iter().any(|h| (h >> 5) & 3 != 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A NAL unit: header byte then `n` payload bytes.
    fn nal(header: u8, n: usize) -> Vec<u8> {
        let mut v = vec![header];
        v.extend(std::iter::repeat_n(0xAB, n));
        v
    }

    fn avc(nals: &[Vec<u8>], size: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for n in nals {
            out.extend(&(n.len() as u32).to_be_bytes()[4 - size..]);
            out.extend(n);
        }
        out
    }

    fn annex_b(nals: &[Vec<u8>]) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, n) in nals.iter().enumerate() {
            out.extend(if i == 0 {
                &[0, 0, 0, 1][..]
            } else {
                &[0, 0, 1][..]
            });
            out.extend(n);
        }
        out
    }

    #[test]
    fn slices_decide_and_other_nal_units_do_not() {
        // AUD (type 9, ref_idc 0), SEI (6), then a non-reference slice
        // (ref_idc 0, type 1): not a reference.
        let b = [nal(0x09, 1), nal(0x06, 4), nal(0x01, 10)];
        // SPS (0x67), PPS (0x68), IDR slice (0x65, ref_idc 3).
        let idr = [nal(0x67, 8), nal(0x68, 3), nal(0x65, 20)];
        // P slice with ref_idc 2 (0x41).
        let p = [nal(0x41, 12)];
        for size in [1, 2, 4] {
            let f = Framing::Avc(size);
            assert_eq!(is_reference(&avc(&b, size), f), Some(false));
            assert_eq!(is_reference(&avc(&idr, size), f), Some(true));
            assert_eq!(is_reference(&avc(&p, size), f), Some(true));
            assert_eq!(is_reference(&avc(&[nal(0x09, 1)], size), f), None);
        }
        let f = Framing::ByteStream;
        assert_eq!(is_reference(&annex_b(&b), f), Some(false));
        assert_eq!(is_reference(&annex_b(&idr), f), Some(true));
        assert_eq!(is_reference(&annex_b(&p), f), Some(true));
        // Truncated: the length runs past the end.
        assert_eq!(is_reference(&[0, 0, 0, 9, 0x01, 2], Framing::Avc(4)), None);
    }

    #[test]
    fn length_size_from_codec_data() {
        assert_eq!(avc_length_size(&[1, 0x64, 0, 0x1f, 0xff, 0xe1]), Some(4));
        assert_eq!(avc_length_size(&[1, 0x64, 0, 0x1f, 0xfd]), Some(2));
        assert_eq!(avc_length_size(&[1, 0x64, 0, 0x1f, 0xfe]), None);
        assert_eq!(avc_length_size(&[0, 0, 0, 0, 0xff]), None);
    }
}
