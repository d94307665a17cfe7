// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! `TrackingMeta`: the one custom GstMeta of gst-rstracking.
//!
//! Holds a plain [`FrameObjects`] (stream name + objects with boxes, ids,
//! keypoints, embeddings). The API is registered with the tags `video` and
//! `size`, so elements that rescale video (videoscale, videoconvertscale) call
//! our transform, which rescales boxes and keypoints; `gst-copy` transforms
//! (queue, tee, buffer copies, videoconvert) copy it. Any other transform
//! (videocrop, videoflip, ...) drops it: the boxes would be wrong there.
//!
//! This is the only module of the crate with `unsafe` code.

use gst::glib;
use gst::prelude::*;
use rstracking_core::types::FrameObjects;
use std::fmt;

/// Tracking metadata of one buffer.
#[repr(transparent)]
pub struct TrackingMeta(imp::TrackingMeta);

// SAFETY: the payload is plain owned Rust data (Send + Sync).
unsafe impl Send for TrackingMeta {}
unsafe impl Sync for TrackingMeta {}

impl TrackingMeta {
    /// Adds a meta holding `frame` to `buffer` (replacing the content of an
    /// existing one, so a buffer never carries two).
    pub fn add(
        buffer: &mut gst::BufferRef,
        frame: FrameObjects,
    ) -> gst::MetaRefMut<'_, Self, gst::meta::Standalone> {
        if buffer.meta::<Self>().is_some() {
            let mut m = buffer.meta_mut::<Self>().expect("meta present");
            m.0.frame = frame;
            return m;
        }
        // SAFETY: the info registers init/free for our struct; we then
        // overwrite the default-initialised payload.
        unsafe {
            let meta = gst::ffi::gst_buffer_add_meta(
                buffer.as_mut_ptr(),
                imp::meta_info(),
                std::ptr::null_mut(),
            ) as *mut imp::TrackingMeta;
            (*meta).frame = frame;
            Self::from_mut_ptr(buffer, meta)
        }
    }

    pub fn frame(&self) -> &FrameObjects {
        &self.0.frame
    }

    pub fn frame_mut(&mut self) -> &mut FrameObjects {
        &mut self.0.frame
    }

    pub fn objects(&self) -> &[rstracking_core::types::Object] {
        &self.0.frame.objects
    }

    pub fn objects_mut(&mut self) -> &mut Vec<rstracking_core::types::Object> {
        &mut self.0.frame.objects
    }
}

/// Adds a `GstVideoRegionOfInterestMeta` of type `roi_type` (a quark the
/// caller has interned) to `buffer`. `VideoRegionOfInterestMeta::add` takes
/// a `&str`, which it copies into a C string and interns again per call;
/// the ROI metas are published for every object of every frame.
pub fn add_roi(
    buffer: &mut gst::BufferRef,
    roi_type: glib::Quark,
    rect: (u32, u32, u32, u32),
) -> gst::MetaRefMut<'_, gst_video::VideoRegionOfInterestMeta, gst::meta::Standalone> {
    // SAFETY: a writable buffer (the `&mut`) and a valid quark; the returned
    // meta is owned by the buffer and borrowed with it.
    unsafe {
        let meta = gst_video::ffi::gst_buffer_add_video_region_of_interest_meta_id(
            buffer.as_mut_ptr(),
            glib::translate::IntoGlib::into_glib(roi_type),
            rect.0,
            rect.1,
            rect.2,
            rect.3,
        );
        gst_video::VideoRegionOfInterestMeta::from_mut_ptr(buffer, meta)
    }
}

/// The structure of `buffer`'s structure view, added if missing (`None`
/// only if the view could not be registered). Found and added by its
/// registered info: `CustomMeta::from_buffer` and `CustomMeta::add` look
/// the name up in GStreamer's global table, under its lock, on every call.
pub fn frame_view_mut(buffer: &mut gst::BufferRef) -> Option<&mut gst::StructureRef> {
    let info = imp::frame_meta_info();
    if info.is_null() {
        return None;
    }
    // SAFETY: a writable buffer (the `&mut`); a meta whose info is the
    // view's is a GstCustomMeta (frame_meta_info checks), whose structure
    // lives as long as the meta, i.e. as long as the buffer's borrow.
    unsafe {
        let mut m = imp::find_meta(buffer.as_mut_ptr(), info);
        if m.is_null() {
            m = gst::ffi::gst_buffer_add_meta(buffer.as_mut_ptr(), info, std::ptr::null_mut());
        }
        if m.is_null() {
            return None;
        }
        let s = gst::ffi::gst_custom_meta_get_structure(m as *mut gst::ffi::GstCustomMeta);
        Some(gst::StructureRef::from_glib_borrow_mut(s))
    }
}

/// What identifies the object of a ROI in its `detection` param: its track
/// id, else its position in the structure view's columns.
#[derive(Debug, Clone, Copy)]
pub enum RoiId {
    Track(u64),
    Index(u32),
}

/// The fields of a ROI's `detection` param, see [`detection_param`].
#[derive(Debug, Clone, Copy)]
pub struct Detection {
    /// x_min, y_min, x_max, y_max, normalised to the frame.
    pub bbox: [f64; 4],
    pub confidence: f64,
    pub label_id: i32,
    pub id: RoiId,
    pub global_id: Option<u64>,
    pub state: Option<&'static glib::GStr>,
}

/// A ROI's `detection` param: the fields DL Streamer's consumers read
/// (x_min, y_min, x_max, y_max, confidence as double, label_id as int) and
/// ours: track_id (uint64) or rstracking_index (uint), global_id (uint64)
/// and state (string). The numbers but the index are set in one
/// `gst_structure_id_set` call; the index (untracked objects only) and the
/// state, as a static string, are GValues handed over: the safe setters
/// build, check and hand over one GValue per field and copy the string
/// (README "Measured results"); `gst_structure_new_id` would walk the
/// arguments twice (1 µs per frame of 15 objects).
pub fn detection_param(d: &Detection) -> gst::Structure {
    use glib::gobject_ffi::{G_TYPE_DOUBLE, G_TYPE_INT, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT64};
    use glib::translate::{FromGlibPtrFull, IntoGlib};
    // The names, in the order the call below passes their values.
    static NAMES: std::sync::LazyLock<[glib::ffi::GQuark; 11]> = std::sync::LazyLock::new(|| {
        [
            "detection",
            "x_min",
            "y_min",
            "x_max",
            "y_max",
            "confidence",
            "label_id",
            "track_id",
            "rstracking_index",
            "global_id",
            "state",
        ]
        .map(|n| glib::Quark::from_str(n).into_glib())
    });
    let n = &*NAMES;
    let [x0, y0, x1, y1] = d.bbox;
    // The uint64 ids (track, global) that the object has, in the last two
    // places of the list; quark 0 ends it early.
    let mut ids = [(0 as glib::ffi::GQuark, 0u64); 2];
    let mut k = 0;
    if let RoiId::Track(t) = d.id {
        ids[k] = (n[7], t);
        k += 1;
    }
    if let Some(g) = d.global_id {
        ids[k] = (n[9], g);
    }
    // SAFETY: each name is followed by its GType and a value of that C type
    // (gdouble, gint, guint64), and the list ends with quark 0; the new
    // structure is ours (full transfer). The GValues taken over by the
    // structure are initialised with their type: a guint, and a string
    // holding a static C string (the `&'static GStr`).
    unsafe {
        let s = gst::ffi::gst_structure_new_id_empty(n[0]);
        gst::ffi::gst_structure_id_set(
            s,
            n[1],
            G_TYPE_DOUBLE,
            x0,
            n[2],
            G_TYPE_DOUBLE,
            y0,
            n[3],
            G_TYPE_DOUBLE,
            x1,
            n[4],
            G_TYPE_DOUBLE,
            y1,
            n[5],
            G_TYPE_DOUBLE,
            d.confidence,
            n[6],
            G_TYPE_INT,
            d.label_id as std::ffi::c_int,
            ids[0].0,
            G_TYPE_UINT64,
            ids[0].1,
            ids[1].0,
            G_TYPE_UINT64,
            ids[1].1,
            0 as glib::ffi::GQuark,
        );
        if let RoiId::Index(i) = d.id {
            let mut v: glib::gobject_ffi::GValue = std::mem::zeroed();
            glib::gobject_ffi::g_value_init(&mut v, G_TYPE_UINT);
            glib::gobject_ffi::g_value_set_uint(&mut v, i);
            gst::ffi::gst_structure_id_take_value(s, n[8], &mut v);
        }
        if let Some(state) = d.state {
            let mut v: glib::gobject_ffi::GValue = std::mem::zeroed();
            glib::gobject_ffi::g_value_init(&mut v, G_TYPE_STRING);
            glib::gobject_ffi::g_value_set_static_string(&mut v, state.as_ptr());
            gst::ffi::gst_structure_id_take_value(s, n[10], &mut v);
        }
        gst::Structure::from_glib_full(s)
    }
}

/// A `GstValueArray` of static strings (no copies), allocated once for
/// all of them: building it value by value reallocates the array as it
/// grows and checks each value's type again.
pub fn static_str_array<I>(items: I) -> glib::SendValue
where
    I: IntoIterator<Item = &'static glib::GStr>,
    I::IntoIter: ExactSizeIterator,
{
    use glib::translate::UnsafeFrom;
    let items = items.into_iter();
    // SAFETY: `gst_value_array_init` initialises a zeroed GValue as an
    // array with room for `len` values; each element is a string GValue
    // pointing at a static C string, taken over by the array. The array
    // holds only strings, so the value may cross threads (SendValue).
    unsafe {
        let mut array: glib::gobject_ffi::GValue = std::mem::zeroed();
        gst::ffi::gst_value_array_init(&mut array, items.len() as std::ffi::c_uint);
        for s in items {
            let mut v: glib::gobject_ffi::GValue = std::mem::zeroed();
            glib::gobject_ffi::g_value_init(&mut v, glib::gobject_ffi::G_TYPE_STRING);
            glib::gobject_ffi::g_value_set_static_string(&mut v, s.as_ptr());
            gst::ffi::gst_value_array_append_and_take_value(&mut array, &mut v);
        }
        glib::SendValue::unsafe_from(array)
    }
}

/// A `GBytes` of `len` bytes written by `fill` in place (zeroed first):
/// g_malloc'd, so aligned for any type, without the copy of
/// `glib::Bytes::from(&[u8])`.
pub fn bytes_with(len: usize, fill: impl FnOnce(&mut [u8])) -> glib::Bytes {
    use glib::translate::FromGlibPtrFull;
    // SAFETY: g_malloc0 returns `len` zeroed bytes (or a null pointer for
    // 0, which g_bytes_new_take accepts with size 0); the slice is
    // dropped before the GBytes takes the memory over.
    unsafe {
        let data = glib::ffi::g_malloc0(len) as *mut u8;
        if len > 0 {
            fill(std::slice::from_raw_parts_mut(data, len));
        }
        glib::Bytes::from_glib_full(glib::ffi::g_bytes_new_take(
            data as glib::ffi::gpointer,
            len,
        ))
    }
}

// SAFETY: GstType is the #[repr(C)] struct registered by meta_info().
unsafe impl MetaAPI for TrackingMeta {
    type GstType = imp::TrackingMeta;

    fn meta_api() -> glib::Type {
        imp::meta_api_get_type()
    }
}

impl fmt::Debug for TrackingMeta {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("TrackingMeta")
            .field("frame", &self.0.frame)
            .finish()
    }
}

/// Registers the meta API and implementation, and the structure view
/// ([`FRAME_META_NAME`]) (idempotent, never panics).
pub fn register() {
    imp::meta_info();
    imp::frame_meta_info();
}

/// Name of the structure view: a `GstCustomMeta` (GStreamer >= 1.20) whose
/// `GstStructure` carries the frame as our JSON Lines schema does (see
/// [`crate::interop`]). Readable from C (`gst_buffer_get_custom_meta`),
/// Python (`buffer.get_custom_meta(...)`) and Rust (`gst::meta::CustomMeta`)
/// with the stock API.
pub const FRAME_META_NAME: &str = "RsTrackingFrameMeta";

mod imp {
    use gst::glib;
    use gst::glib::translate::*;
    use rstracking_core::types::FrameObjects;
    use std::ptr;
    use std::sync::LazyLock;

    #[repr(C)]
    pub struct TrackingMeta {
        parent: gst::ffi::GstMeta,
        pub(super) frame: FrameObjects,
    }

    /// Our API type and meta info, looked up or registered once per
    /// process. Registration never panics: when the names are taken by
    /// another copy of this code (an application that also links the
    /// plugin's rlib) or by anyone else (e.g. a `GstCustomMeta` named
    /// `GstRsTrackingMeta`), this copy registers under the next free
    /// numbered names (`GstRsTrackingMetaAPI1`, ...), so no copy ever reads
    /// a payload laid out by another build.
    struct Registration {
        api: glib::Type,
        info: ptr::NonNull<gst::ffi::GstMetaInfo>,
    }
    // SAFETY: GstMetaInfo is immutable after registration.
    unsafe impl Send for Registration {}
    unsafe impl Sync for Registration {}

    static REGISTRATION: LazyLock<Registration> = LazyLock::new(|| unsafe { register() });

    unsafe fn register() -> Registration {
        for n in 0u32.. {
            let suffix = if n == 0 { String::new() } else { n.to_string() };
            let api_name =
                std::ffi::CString::new(format!("GstRsTrackingMetaAPI{suffix}")).expect("no NUL");
            let info_name =
                std::ffi::CString::new(format!("GstRsTrackingMeta{suffix}")).expect("no NUL");
            let existing = gst::ffi::gst_meta_get_info(info_name.as_ptr());
            if !existing.is_null() {
                // Ours (this very code registered it, e.g. the plugin
                // loaded twice through the static and dynamic paths)?
                type Init = unsafe extern "C" fn(
                    *mut gst::ffi::GstMeta,
                    glib::ffi::gpointer,
                    *mut gst::ffi::GstBuffer,
                ) -> glib::ffi::gboolean;
                let ours = (*existing).init_func.map(|f| f as *const ())
                    == Some(meta_init as Init as *const ())
                    && (*existing).size == std::mem::size_of::<TrackingMeta>();
                if ours {
                    return Registration {
                        api: from_glib((*existing).api),
                        info: ptr::NonNull::new(existing as *mut _).expect("not null"),
                    };
                }
                continue;
            }
            if glib::gobject_ffi::g_type_from_name(api_name.as_ptr()) != 0 {
                // The API name belongs to someone else's meta.
                continue;
            }
            let mut tags = [
                c"video".as_ptr(),
                c"size".as_ptr(),
                ptr::null::<std::os::raw::c_char>(),
            ];
            let api: glib::Type = from_glib(gst::ffi::gst_meta_api_type_register(
                api_name.as_ptr(),
                tags.as_mut_ptr(),
            ));
            if api == glib::Type::INVALID {
                continue;
            }
            let info = gst::ffi::gst_meta_register(
                api.into_glib(),
                info_name.as_ptr(),
                std::mem::size_of::<TrackingMeta>(),
                Some(meta_init),
                Some(meta_free),
                Some(meta_transform),
            ) as *mut gst::ffi::GstMetaInfo;
            if let Some(info) = ptr::NonNull::new(info) {
                return Registration { api, info };
            }
        }
        unreachable!("u32 names exhausted")
    }

    pub(super) fn meta_api_get_type() -> glib::Type {
        REGISTRATION.api
    }

    unsafe extern "C" fn meta_init(
        meta: *mut gst::ffi::GstMeta,
        _params: glib::ffi::gpointer,
        _buffer: *mut gst::ffi::GstBuffer,
    ) -> glib::ffi::gboolean {
        let meta = &mut *(meta as *mut TrackingMeta);
        ptr::write(&mut meta.frame, FrameObjects::default());
        true.into_glib()
    }

    unsafe extern "C" fn meta_free(
        meta: *mut gst::ffi::GstMeta,
        _buffer: *mut gst::ffi::GstBuffer,
    ) {
        let meta = &mut *(meta as *mut TrackingMeta);
        ptr::drop_in_place(&mut meta.frame);
    }

    unsafe fn add_to(dest: *mut gst::ffi::GstBuffer, frame: FrameObjects) {
        let existing = gst::ffi::gst_buffer_get_meta(dest, meta_api_get_type().into_glib())
            as *mut TrackingMeta;
        if !existing.is_null() {
            (*existing).frame = frame;
            return;
        }
        let m =
            gst::ffi::gst_buffer_add_meta(dest, meta_info(), ptr::null_mut()) as *mut TrackingMeta;
        if !m.is_null() {
            (*m).frame = frame;
        }
    }

    unsafe extern "C" fn meta_transform(
        dest: *mut gst::ffi::GstBuffer,
        meta: *mut gst::ffi::GstMeta,
        _buffer: *mut gst::ffi::GstBuffer,
        type_: glib::ffi::GQuark,
        data: glib::ffi::gpointer,
    ) -> glib::ffi::gboolean {
        let src = &*(meta as *const TrackingMeta);
        let type_: glib::Quark = from_glib(type_);
        if type_ == *COPY {
            // Skip when the destination already has one (copy into itself).
            let existing = gst::ffi::gst_buffer_get_meta(dest, meta_api_get_type().into_glib());
            if existing.is_null() {
                add_to(dest, src.frame.clone());
            }
            return true.into_glib();
        }
        if let Some((_, _, sx, sy)) = scale_transform(type_, data) {
            let mut frame = src.frame.clone();
            for o in &mut frame.objects {
                o.scale(sx, sy);
            }
            add_to(dest, frame);
            return true.into_glib();
        }
        false.into_glib()
    }

    pub(super) fn meta_info() -> *const gst::ffi::GstMetaInfo {
        REGISTRATION.info.as_ptr()
    }

    /// The structure view's info: looked up (an application or another
    /// plugin may have registered the name first; a GstStructure has no
    /// Rust layout, so sharing it is safe) or registered with the `video`
    /// and `size` tags and a transform that copies and rescales it.
    pub(super) fn frame_meta_info() -> *const gst::ffi::GstMetaInfo {
        static INFO: LazyLock<usize> = LazyLock::new(|| unsafe {
            let name = c"RsTrackingFrameMeta";
            let existing = gst::ffi::gst_meta_get_info(name.as_ptr());
            if !existing.is_null() {
                // Someone else's meta of that name that is not a custom
                // meta has no structure: no view then.
                let custom = gst::ffi::gst_meta_info_is_custom(existing) != glib::ffi::GFALSE;
                return if custom { existing as usize } else { 0 };
            }
            let mut tags = [
                c"video".as_ptr(),
                c"size".as_ptr(),
                ptr::null::<std::os::raw::c_char>(),
            ];
            gst::ffi::gst_meta_register_custom(
                name.as_ptr(),
                tags.as_mut_ptr(),
                Some(frame_meta_transform),
                ptr::null_mut(),
                None,
            ) as usize
        });
        *INFO as *const gst::ffi::GstMetaInfo
    }

    /// The transform type of buffer copies, interned once (transforms run
    /// per buffer copy).
    static COPY: LazyLock<glib::Quark> = LazyLock::new(|| glib::Quark::from_str("gst-copy"));

    /// For a scale transform (`type_`, its `data`) between frames with a
    /// size: the new frame's width, height and the factors x, y; `None`
    /// for another transform (or a frame without a size), which the metas
    /// do not follow.
    ///
    /// # Safety
    /// `data` is the transform's data, a `GstVideoMetaTransform` for the
    /// scale type.
    unsafe fn scale_transform(
        type_: glib::Quark,
        data: glib::ffi::gpointer,
    ) -> Option<(u32, u32, f32, f32)> {
        if type_ != from_glib(gst_video::ffi::gst_video_meta_transform_scale_get_quark()) {
            return None;
        }
        let trans = &*(data as *const gst_video::ffi::GstVideoMetaTransform);
        let (iw, ih) = ((*trans.in_info).width, (*trans.in_info).height);
        let (ow, oh) = ((*trans.out_info).width, (*trans.out_info).height);
        if iw <= 0 || ih <= 0 || ow <= 0 || oh <= 0 {
            return None;
        }
        Some((
            ow as u32,
            oh as u32,
            ow as f32 / iw as f32,
            oh as f32 / ih as f32,
        ))
    }

    /// The first meta of `buffer` with `info`, or null.
    pub(super) unsafe fn find_meta(
        buffer: *mut gst::ffi::GstBuffer,
        info: *const gst::ffi::GstMetaInfo,
    ) -> *mut gst::ffi::GstMeta {
        let mut state = ptr::null_mut();
        loop {
            let m = gst::ffi::gst_buffer_iterate_meta(buffer, &mut state);
            if m.is_null() || (*m).info == info {
                return m;
            }
        }
    }

    unsafe extern "C" fn frame_meta_transform(
        dest: *mut gst::ffi::GstBuffer,
        meta: *mut gst::ffi::GstCustomMeta,
        _buffer: *mut gst::ffi::GstBuffer,
        type_: glib::ffi::GQuark,
        data: glib::ffi::gpointer,
        _user_data: glib::ffi::gpointer,
    ) -> glib::ffi::gboolean {
        let src =
            gst::StructureRef::from_glib_borrow(gst::ffi::gst_custom_meta_get_structure(meta));
        let type_: glib::Quark = from_glib(type_);
        let scale = if type_ == *COPY {
            None
        } else {
            match scale_transform(type_, data) {
                Some(scale) => Some(scale),
                None => return false.into_glib(),
            }
        };
        if scale.is_none() && !find_meta(dest, frame_meta_info()).is_null() {
            // Copy into a buffer that has one already.
            return true.into_glib();
        }
        let dest = gst::BufferRef::from_mut_ptr(dest);
        crate::interop::copy_frame_structure(dest, src, scale);
        true.into_glib()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstracking_core::types::{BBox, Keypoint, Object};

    fn frame() -> FrameObjects {
        let mut o = Object::new(BBox::new(10.0, 20.0, 30.0, 40.0), 0.9, 0);
        o.track_id = Some(3);
        o.keypoints.push(Keypoint {
            x: 100.0,
            y: 50.0,
            confidence: 1.0,
            ..Default::default()
        });
        FrameObjects {
            frame: None,
            stream: Some("cam0".into()),
            objects: vec![o],
        }
    }

    #[test]
    fn scale_transform_rescales_boxes_and_keypoints() {
        gst::init().unwrap();
        let mut buf = gst::Buffer::new();
        TrackingMeta::add(buf.get_mut().unwrap(), frame());
        let in_info = gst_video::VideoInfo::builder(gst_video::VideoFormat::Rgb, 640, 480)
            .build()
            .unwrap();
        let out_info = gst_video::VideoInfo::builder(gst_video::VideoFormat::Rgb, 320, 960)
            .build()
            .unwrap();
        let mut out = gst::Buffer::new();
        {
            let meta = buf.meta::<TrackingMeta>().unwrap();
            meta.transform(
                out.get_mut().unwrap(),
                &gst_video::video_meta::VideoMetaTransformScale::new(&in_info, &out_info),
            )
            .unwrap();
        }
        let m = out.meta::<TrackingMeta>().unwrap();
        let o = &m.objects()[0];
        assert_eq!(o.bbox, BBox::new(5.0, 40.0, 15.0, 80.0));
        assert_eq!((o.keypoints[0].x, o.keypoints[0].y), (50.0, 100.0));
        assert_eq!(o.track_id, Some(3));
        assert_eq!(m.frame().stream.as_deref(), Some("cam0"));
    }

    #[test]
    fn copy_keeps_meta_and_tags_are_video_size() {
        gst::init().unwrap();
        let mut buf = gst::Buffer::with_size(4).unwrap();
        TrackingMeta::add(buf.get_mut().unwrap(), frame());
        let copy = buf.copy_deep().unwrap();
        assert_eq!(copy.meta::<TrackingMeta>().unwrap().frame(), &frame());
        let api = TrackingMeta::meta_api();
        assert!(gst::meta::meta_api_type_tags_contain_only(
            api,
            &["video", "size"]
        ));
        // Adding twice replaces, never stacks.
        let mut b2 = buf.copy();
        TrackingMeta::add(b2.get_mut().unwrap(), FrameObjects::default());
        assert_eq!(b2.iter_meta::<TrackingMeta>().count(), 1);
        assert!(b2.meta::<TrackingMeta>().unwrap().objects().is_empty());
    }
}
