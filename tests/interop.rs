// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! What applications read from the buffers with the stock GStreamer API:
//! one GstVideoRegionOfInterestMeta per object and the RsTrackingFrameMeta
//! structure view, equal to the JSONL of the same run, rescaled by
//! videoscale, kept through tee/queue; `publish-meta=auto` publishes only
//! at the last of our elements.

mod common;

use common::*;
use gst::prelude::*;
use std::sync::{Arc, Mutex};

/// Per buffer: (ROI metas as (x, y, w, h, roi_type, id, params), the
/// structure view).
type Seen = Vec<(Vec<Roi>, Option<gst::Structure>)>;
type Roi = (u32, u32, u32, u32, String, i32, Vec<gst::Structure>);

fn det_file(name: &str) -> std::path::PathBuf {
    let d = tmpdir(name);
    let p = d.join("det.txt");
    let mut t = String::new();
    for f in 1..=6u32 {
        t.push_str(&format!("{f},-1,{},20.5,40,80,0.9\n", 10 + 3 * f));
        t.push_str(&format!("{f},-1,200,{},30,60,0.8\n", 30 + f));
    }
    std::fs::write(&p, t).unwrap();
    p
}

/// Runs `desc` (ending in `appsink name=sink`) and collects what the app
/// sees on each buffer.
fn run_and_read(desc: &str) -> Seen {
    init();
    let pipeline = gst::parse::launch(desc)
        .unwrap()
        .downcast::<gst::Pipeline>()
        .unwrap();
    read(&pipeline)
}

/// Plays `pipeline` (with an `appsink name=sink`) to EOS and back to NULL,
/// collecting what the app sees on each buffer.
fn read(pipeline: &gst::Pipeline) -> Seen {
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let s2 = seen.clone();
    pipeline
        .by_name("sink")
        .unwrap()
        .downcast::<gst_app::AppSink>()
        .unwrap()
        .set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |s| {
                    let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    let b = sample.buffer().unwrap();
                    let rois = b
                        .iter_meta::<gst_video::VideoRegionOfInterestMeta>()
                        .map(|r| {
                            let (x, y, w, h) = r.rect();
                            (
                                x,
                                y,
                                w,
                                h,
                                r.roi_type().to_string(),
                                r.id(),
                                r.params().map(|p| p.to_owned()).collect(),
                            )
                        })
                        .collect();
                    let view = gst::meta::CustomMeta::from_buffer(b, "RsTrackingFrameMeta")
                        .ok()
                        .map(|m| m.structure().to_owned());
                    s2.lock().unwrap().push((rois, view));
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
    play_to_eos(pipeline.upcast_ref());
    let out = std::mem::take(&mut *seen.lock().unwrap());
    out
}

fn jsonl(p: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v.get("event").is_none())
        .collect()
}

fn f(v: &serde_json::Value) -> f32 {
    v.as_f64().unwrap() as f32
}

/// Runs the tracker on the detections with a tee to rsjsonsink and to the
/// app, through `videoscale` to `scale` times the size; checks what the
/// app reads against the JSONL.
fn check_against_jsonl(scale: u32) {
    let det = det_file(&format!("interop-{scale}"));
    let out = tmpdir(&format!("interop-out-{scale}")).join("out.jsonl");
    let seen = run_and_read(&format!(
        "videotestsrc num-buffers=6 ! video/x-raw,width=320,height=240,framerate=30/1 \
         ! rsdetect detections={} ! rsbytetrack ! tee name=t \
         t. ! queue ! rsjsonsink location={} \
         t. ! queue ! videoscale ! video/x-raw,width={},height={} ! appsink name=sink",
        det.display(),
        out.display(),
        320 * scale,
        240 * scale
    ));
    let k = scale as f32;
    let lines = jsonl(&out);
    assert_eq!(seen.len(), 6);
    assert_eq!(lines.len(), 6);
    let mut objects_checked = 0;
    for ((rois, view), line) in seen.iter().zip(&lines) {
        let view = view.as_ref().expect("structure view on every buffer");
        assert_eq!(view.get::<&str>("schema").unwrap(), "rstracking/1");
        assert_eq!(
            (
                view.get::<u32>("width").unwrap(),
                view.get::<u32>("height").unwrap()
            ),
            (320 * scale, 240 * scale)
        );
        let expected = line["objects"].as_array().unwrap();
        // One column per field: 4 float32 per box, one int64 per track id.
        assert_eq!(view.get::<u32>("count").unwrap() as usize, expected.len());
        let bytes = |name: &str| view.get::<gst::glib::Bytes>(name).unwrap().len();
        assert_eq!(bytes("boxes"), 16 * expected.len());
        assert_eq!(bytes("track_ids"), 8 * expected.len());
        assert!(!view.has_field("global_ids") && !view.has_field("labels"));
        let objs = rstracking_meta::frame(view).unwrap().objects;
        assert_eq!(objs.len(), expected.len());
        assert_eq!(rois.len(), expected.len());
        for (i, (o, e)) in objs.iter().zip(expected).enumerate() {
            let b = &e["bbox"];
            // Scaled by videoscale, exactly (a power of two).
            for j in 0..4 {
                assert_eq!(o.bbox[j], k * f(&b[j]), "bbox[{j}]");
            }
            assert_eq!(o.confidence, f(&e["confidence"]));
            assert_eq!(o.class_id as u64, e["class_id"].as_u64().unwrap());
            assert_eq!(o.track_id, e["track_id"].as_u64());
            assert_eq!(o.state.as_deref(), e["state"].as_str());
            // The ROI of the same object (same order): rounded pixels,
            // id = track id, roi_type = the class id without a label.
            let roi = &rois[i];
            // videoscale rescales the integer rectangle we attached.
            let px = |v: f32| scale * v.round() as u32;
            assert_eq!(
                (roi.0, roi.1, roi.2, roi.3),
                (px(f(&b[0])), px(f(&b[1])), px(f(&b[2])), px(f(&b[3])))
            );
            assert_eq!(roi.4, "0");
            assert_eq!(roi.5 as i64, e["track_id"].as_i64().unwrap_or(-1));
            if scale == 1 {
                // GStreamer 1.22's ROI scale transform drops the params
                // (it keeps the rectangle, type and id): check them where
                // the frame is not rescaled.
                let p = |name: &str| roi.6.iter().find(|p| p.name() == name).unwrap();
                assert_eq!(roi.6.len(), 1, "one detection param");
                // Tracked: found in the view by track id, no index.
                assert!(!p("detection").has_field("rstracking_index"));
                let d = p("detection");
                assert_eq!(
                    d.get::<f64>("confidence").unwrap() as f32,
                    f(&e["confidence"])
                );
                assert_eq!(d.get::<f64>("x_min").unwrap(), f(&b[0]) as f64 / 320.0);
                assert_eq!(
                    d.get::<f64>("y_max").unwrap(),
                    (f(&b[1]) + f(&b[3])) as f64 / 240.0
                );
                assert_eq!(d.get::<i32>("label_id").unwrap(), 0);
                assert_eq!(d.get::<u64>("track_id").ok(), e["track_id"].as_u64());
                assert_eq!(d.get::<&str>("state").ok(), e["state"].as_str());
                assert!(!d.has_field("label"), "the label is the ROI type");
            }
            objects_checked += 1;
        }
    }
    assert_eq!(objects_checked, 12);
}

#[test]
fn rois_and_the_structure_view_equal_the_jsonl() {
    check_against_jsonl(1);
}

#[test]
fn videoscale_rescales_the_rois_and_the_structure_view() {
    check_against_jsonl(2);
}

#[test]
fn auto_publishes_only_at_the_last_of_our_elements() {
    let det = det_file("interop-auto");
    let desc = |props: &str| {
        format!(
            "videotestsrc num-buffers=3 ! video/x-raw,width=320,height=240,framerate=30/1 \
             ! rsdetect detections={} {props} ! identity name=probe ! rsbytetrack publish-meta=off ! appsink name=sink",
            det.display()
        )
    };
    // rsdetect's next element is identity (not ours): auto publishes;
    // rsbytetrack is off, so the structure still shows rsdetect's view
    // (no track ids).
    let seen = run_and_read(&desc(""));
    // Untracked objects: the index is their position in the view.
    let index: Vec<u32> = seen[0]
        .0
        .iter()
        .map(|r| r.6[0].get::<u32>("rstracking_index").unwrap())
        .collect();
    assert_eq!(index.len(), 2);
    assert!(index.contains(&0) && index.contains(&1), "{index:?}");
    let view = seen[0].1.as_ref().unwrap();
    assert!(!view.has_field("track_ids"), "{view}");
    assert_eq!(
        rstracking_meta::frame(view).unwrap().objects[0].track_id,
        None
    );
    // off: nothing attached.
    let seen = run_and_read(&desc("publish-meta=off"));
    assert!(seen.iter().all(|(r, v)| r.is_empty() && v.is_none()));
    // rsdetect directly into rsbytetrack (ours), rsbytetrack auto: only
    // rsbytetrack publishes, with track ids.
    let seen = run_and_read(&format!(
        "videotestsrc num-buffers=3 ! video/x-raw,width=320,height=240,framerate=30/1 \
         ! rsdetect detections={} ! rsbytetrack ! appsink name=sink",
        det.display()
    ));
    let (rois, view) = &seen[2];
    assert_eq!(rois.len(), 2, "one ROI per object, none left from rsdetect");
    // Through a queue (a thread boundary): rsdetect still leaves it to
    // rsbytetrack, whose input has no ROI metas.
    let queued = gst::parse::launch(&format!(
        "videotestsrc num-buffers=3 ! video/x-raw,width=320,height=240,framerate=30/1 \
         ! rsdetect detections={} ! queue ! queue2 ! rsbytetrack name=t ! appsink name=sink",
        det.display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let into_tracker = Arc::new(Mutex::new((0usize, 0usize)));
    let count = into_tracker.clone();
    let t = queued.by_name("t").unwrap().static_pad("sink").unwrap();
    t.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(b) = info.buffer() {
            let mut c = count.lock().unwrap();
            c.0 += 1;
            c.1 += b
                .iter_meta::<gst_video::VideoRegionOfInterestMeta>()
                .count();
        }
        gst::PadProbeReturn::Ok
    });
    let seen_queued = read(&queued);
    assert_eq!(
        *into_tracker.lock().unwrap(),
        (3, 0),
        "(buffers, ROI metas)"
    );
    assert_eq!(seen_queued[2].0.len(), 2, "rsbytetrack publishes");
    // rsdetect publishes in front of the tee; the second branch makes
    // rsbytetrack copy the buffer (metas and all) before it publishes: it
    // still replaces rsdetect's ROIs (marked by their index) with its own.
    let copied = run_and_read(&format!(
        "videotestsrc num-buffers=3 ! video/x-raw,width=320,height=240,framerate=30/1 \
         ! rsdetect detections={} ! tee name=t t. ! queue ! fakesink \
         t. ! queue ! rsbytetrack ! appsink name=sink",
        det.display()
    ));
    let ids: Vec<i32> = copied[2].0.iter().map(|r| r.5).collect();
    assert_eq!(ids.len(), 2, "one ROI per object after the copy: {ids:?}");
    assert!(ids.iter().all(|&id| id > 0), "all tracked: {ids:?}");
    // rsoverlay passes frames on without publishing: rsbytetrack publishes
    // in front of it.
    let drawn = run_and_read(&format!(
        "videotestsrc num-buffers=3 ! video/x-raw,format=RGB,width=320,height=240,framerate=30/1 \
         ! rsdetect detections={} ! rsbytetrack ! rsoverlay ! appsink name=sink",
        det.display()
    ));
    assert_eq!(drawn[2].0.len(), 2);
    assert!(drawn[2].1.is_some());
    let o = &rstracking_meta::frame(view.as_ref().unwrap())
        .unwrap()
        .objects[0];
    assert_eq!(o.track_id, Some(1));
}

/// `auto` decides again when the src pad is relinked, and the frame size
/// (view `width`/`height`, ROI `x_min`...) follows new caps, though both
/// are kept between buffers.
#[test]
fn auto_and_the_frame_size_follow_relinks_and_new_caps() {
    init();
    let det = det_file("interop-relink");
    let pipeline = gst::Pipeline::new();
    let make = |f: &str| gst::ElementFactory::make(f).build().unwrap();
    let src = make("videotestsrc");
    src.set_property("num-buffers", 2i32);
    let filter = make("capsfilter");
    let caps = |w: i32, h: i32| {
        gst::Caps::builder("video/x-raw")
            .field("width", w)
            .field("height", h)
            .field("framerate", gst::Fraction::new(30, 1))
            .build()
    };
    filter.set_property("caps", caps(320, 240));
    let detect = make("rsdetect");
    detect.set_property("detections", det.to_str().unwrap());
    let ident = make("identity");
    let track = make("rsbytetrack");
    track.set_property_from_str("publish-meta", "off");
    let sink = gst::ElementFactory::make("appsink")
        .name("sink")
        .build()
        .unwrap();
    pipeline
        .add_many([&src, &filter, &detect, &ident, &track, &sink])
        .unwrap();
    gst::Element::link_many([&src, &filter, &detect, &track, &sink]).unwrap();
    // rsdetect's peer is rsbytetrack (ours): auto does not publish.
    let seen = read(&pipeline);
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|(r, v)| r.is_empty() && v.is_none()));
    // Relinked through identity, at another size: rsdetect publishes, for
    // 640x480. First object of frame 1: MOT's 1-based x 13, y 20.5, w 40,
    // h 80 are 12, 19.5 from 0.
    detect.unlink(&track);
    gst::Element::link_many([&detect, &ident, &track]).unwrap();
    filter.set_property("caps", caps(640, 480));
    let seen = read(&pipeline);
    let (rois, view) = &seen[0];
    let view = view.as_ref().expect("a view after the relink");
    assert_eq!(view.get::<u32>("width").unwrap(), 640);
    assert_eq!(view.get::<u32>("height").unwrap(), 480);
    let first = rois
        .iter()
        .find(|r| r.0 == 12)
        .unwrap_or_else(|| panic!("the box at x 12: {rois:?}"));
    let d = &first.6[0];
    assert_eq!(d.get::<f64>("x_min").unwrap(), 12.0 / 640.0);
    assert_eq!(d.get::<f64>("y_max").unwrap(), 99.5 / 480.0);
    // Back to rsbytetrack directly: no publishing again.
    detect.unlink(&ident);
    ident.unlink(&track);
    detect.link(&track).unwrap();
    let seen = read(&pipeline);
    assert!(seen.iter().all(|(r, v)| r.is_empty() && v.is_none()));
}

/// Every column of the structure view, with the optional ones present for
/// some objects only: what `rstracking-meta` reads back equals what was
/// published, exactly (keypoints and embeddings of the second object
/// start where the first's end).
#[test]
fn the_structure_view_round_trips_every_field() {
    use gstrstracking::core::types::{
        BBox, FrameObjects, Keypoint, KeypointState, Object, TrackState,
    };
    init();
    gstrstracking::meta::register();
    let kp = |x: f32, y: f32, confidence: f32| Keypoint {
        x,
        y,
        confidence,
        state: KeypointState::Measured,
    };
    let mut a = Object::new(BBox::new(1.5, 2.25, 30.0, 40.0), 0.75, 2);
    a.label = Some("car".into());
    a.track_id = Some(7);
    a.track_state = Some(TrackState::Lost);
    a.keypoints = vec![kp(3.0, 4.0, 0.5), kp(5.0, 6.0, 0.25)];
    a.keypoints[1].state = KeypointState::Predicted;
    a.embedding = Some(vec![0.6f32, 0.8].into());
    a.embedding_frame = Some(11);
    let mut b = Object::new(BBox::new(100.0, 20.0, 10.0, 12.5), 0.5, 0);
    b.global_id = Some(9);
    b.keypoints = vec![kp(7.0, 8.0, 1.0)];
    let mut c = Object::new(BBox::new(0.0, 0.0, 1.0, 1.0), 0.125, 1);
    c.embedding = Some(vec![-1.0f32, 0.0, 0.5].into());
    let frame = FrameObjects {
        stream: Some("cam0".into()),
        frame: Some(42),
        objects: vec![a, b, c],
    };
    let mut buf = gst::Buffer::new();
    let info = gstrstracking::interop::FrameInfo {
        pts_ns: Some(5),
        width: 640,
        height: 480,
    };
    gstrstracking::interop::publish(buf.get_mut().unwrap(), &frame, info);
    let view = gst::meta::CustomMeta::from_buffer(&buf, "RsTrackingFrameMeta").unwrap();
    let s = view.structure();
    assert_eq!(s.get::<u32>("count").unwrap(), 3);
    assert_eq!(s.get::<gst::glib::Bytes>("embeddings").unwrap().len(), 20);
    let got = rstracking_meta::frame(s).unwrap();
    let want = rstracking_meta::Frame {
        schema: "rstracking/1".into(),
        stream: Some("cam0".into()),
        frame: Some(42),
        pts_ns: Some(5),
        width: 640,
        height: 480,
        objects: vec![
            rstracking_meta::Object {
                bbox: [1.5, 2.25, 30.0, 40.0],
                confidence: 0.75,
                class_id: 2,
                label: Some("car".into()),
                track_id: Some(7),
                state: Some("lost".into()),
                global_id: None,
                keypoints: vec![[3.0, 4.0, 0.5], [5.0, 6.0, 0.25]],
                keypoint_states: vec!["measured".into(), "predicted".into()],
                embedding: Some(vec![0.6, 0.8]),
                embedding_frame: Some(11),
            },
            rstracking_meta::Object {
                bbox: [100.0, 20.0, 10.0, 12.5],
                confidence: 0.5,
                class_id: 0,
                global_id: Some(9),
                keypoints: vec![[7.0, 8.0, 1.0]],
                keypoint_states: vec!["measured".into()],
                embedding: None,
                ..Default::default()
            },
            rstracking_meta::Object {
                bbox: [0.0, 0.0, 1.0, 1.0],
                confidence: 0.125,
                class_id: 1,
                // Starts where a's ends (b has none).
                embedding: Some(vec![-1.0, 0.0, 0.5]),
                ..Default::default()
            },
        ],
    };
    assert_eq!(got, want);
    // The ROI types: the label, else the class id as text.
    // In the order of the objects: type, index, global id, state.
    type Params = (String, Option<u32>, Option<u64>, Option<String>);
    let rois: Vec<Params> = buf
        .iter_meta::<gst_video::VideoRegionOfInterestMeta>()
        .map(|r| {
            let d = r.param("detection").unwrap();
            (
                r.roi_type().to_string(),
                d.get::<u32>("rstracking_index").ok(),
                d.get::<u64>("global_id").ok(),
                d.get::<String>("state").ok(),
            )
        })
        .collect();
    // The ROI types: the label, else the class id as text; the index on
    // the untracked objects only.
    assert_eq!(
        rois,
        [
            ("car".to_string(), None, None, Some("lost".to_string())),
            ("0".to_string(), Some(1), Some(9), None),
            ("1".to_string(), Some(2), None, None),
        ]
    );
    // The keypoints param: pixel positions, confidences, states.
    let b_roi = buf
        .iter_meta::<gst_video::VideoRegionOfInterestMeta>()
        .nth(1)
        .unwrap();
    let k = b_roi.param("keypoints").unwrap();
    let floats = |name: &str| -> Vec<f32> {
        k.get::<gst::Array>(name)
            .unwrap()
            .iter()
            .map(|v| v.get::<f32>().unwrap())
            .collect()
    };
    assert_eq!(floats("positions"), [7.0, 8.0]);
    assert_eq!(floats("confidences"), [1.0]);

    // An empty frame: the always-present columns are empty, the optional
    // ones absent, and it reads as a frame with no objects.
    let mut empty = gst::Buffer::new();
    let none = FrameObjects {
        stream: None,
        frame: Some(43),
        objects: vec![],
    };
    gstrstracking::interop::publish(empty.get_mut().unwrap(), &none, info);
    let view = gst::meta::CustomMeta::from_buffer(&empty, "RsTrackingFrameMeta").unwrap();
    let s = view.structure();
    assert_eq!(s.get::<u32>("count").unwrap(), 0);
    assert_eq!(s.get::<gst::glib::Bytes>("boxes").unwrap().len(), 0);
    assert!(!s.has_field("track_ids") && !s.has_field("embeddings"));
    assert_eq!(rstracking_meta::frame(s).unwrap().objects, []);
    // A structure without `count` (a view from before the columns) is not
    // read as an empty frame.
    let old = gst::Structure::builder("RsTrackingFrameMeta")
        .field("schema", "rstracking/1")
        .field("objects", gst::Array::new([0u32; 0]))
        .build();
    assert_eq!(rstracking_meta::frame(&old), None);
}
