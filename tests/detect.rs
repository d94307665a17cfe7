// Copyright (C) 2026 gst-rstracking developers
// SPDX-License-Identifier: MIT
//! rsdetect import mode: formats, frame mapping, flush, bad input.

mod common;
use common::*;
use gstrstracking::core::types::{BBox, TrackState};

fn harness_for(path: &std::path::Path) -> gst_check::Harness {
    init();
    // Set the file before the harness starts the element.
    let e = gst::ElementFactory::make("rsdetect")
        .property("detections", path.to_str().unwrap())
        .build()
        .unwrap();
    let mut h = gst_check::Harness::with_element(&e, Some("sink"), Some("src"));
    h.set_src_caps_str("video/x-raw,format=GRAY8,width=640,height=480,framerate=30/1");
    h
}

fn push_blank(h: &mut gst_check::Harness) -> gst::Buffer {
    h.push(gst::Buffer::with_size(640 * 480).unwrap()).unwrap();
    h.pull().unwrap()
}

#[test]
fn mot_rows_go_to_buffer_frame_minus_one() {
    let d = tmpdir("detect-mot");
    let p = d.join("det.txt");
    // Unsorted rows, 7 and 10 columns, frame 2 has no detection.
    std::fs::write(
        &p,
        "3,-1,101,201,10,20,0.9\n1,-1,1,1,30,40,0.5,-1,-1,-1\n1,-1,11,11,5,5,0.25\n",
    )
    .unwrap();
    let mut h = harness_for(&p);
    let b0 = objects_of(&push_blank(&mut h));
    assert_eq!(b0.len(), 2);
    assert_eq!(b0[0].bbox, BBox::new(0.0, 0.0, 30.0, 40.0));
    assert_eq!(b0[0].confidence, 0.5);
    assert_eq!(b0[1].bbox, BBox::new(10.0, 10.0, 5.0, 5.0));
    // A frame without detections carries a meta with no objects (the
    // detector ran), not no meta.
    assert_eq!(meta_objects(&push_blank(&mut h)), Some(vec![]));
    let b2 = objects_of(&push_blank(&mut h));
    assert_eq!(b2.len(), 1);
    assert_eq!(b2[0].bbox, BBox::new(100.0, 200.0, 10.0, 20.0));
}

#[test]
fn jsonl_import_keeps_ids_states_keypoints_embeddings() {
    let d = tmpdir("detect-jsonl");
    let p = d.join("in.jsonl");
    std::fs::write(
        &p,
        concat!(
            r#"{"schema":"rstracking/1","stream":"cam7","frame":0,"objects":[{"bbox":[1.0,2.0,3.0,4.0],"confidence":0.9,"class_id":2,"label":"car","track_id":5,"state":"tracked","global_id":9,"keypoints":[[1.0,1.0,0.5]],"keypoint_states":["predicted"],"embedding":[0.6,0.8],"embedding_frame":0,"unknown_field":1}]}"#,
            "\n",
            r#"{"schema":"rstracking/1","event":"merge","from":5,"to":6}"#,
            "\n"
        ),
    )
    .unwrap();
    let mut h = harness_for(&p);
    let b = push_blank(&mut h);
    let m = b.meta::<gstrstracking::meta::TrackingMeta>().unwrap();
    assert_eq!(m.frame().stream.as_deref(), Some("cam7"));
    let o = &m.objects()[0];
    assert_eq!(o.class_id, 2);
    assert_eq!(o.label.as_deref(), Some("car"));
    assert_eq!(o.track_id, Some(5));
    assert_eq!(o.track_state, Some(TrackState::Tracked));
    assert_eq!(o.global_id, Some(9));
    assert_eq!(o.keypoints.len(), 1);
    assert_eq!(o.embedding.as_deref(), Some(&[0.6f32, 0.8][..]));
}

#[test]
fn flush_restarts_the_frame_count() {
    let d = tmpdir("detect-flush");
    let p = d.join("det.txt");
    std::fs::write(&p, "1,-1,1,1,10,10,0.9\n2,-1,51,51,10,10,0.9\n").unwrap();
    let mut h = harness_for(&p);
    assert_eq!(objects_of(&push_blank(&mut h))[0].bbox.x, 0.0);
    assert_eq!(objects_of(&push_blank(&mut h))[0].bbox.x, 50.0);
    assert!(h.push_event(gst::event::FlushStart::new()));
    assert!(h.push_event(gst::event::FlushStop::new(true)));
    h.push_event(gst::event::Segment::new(&gst::FormattedSegment::<
        gst::ClockTime,
    >::new()));
    assert_eq!(objects_of(&push_blank(&mut h))[0].bbox.x, 0.0);
}

#[test]
fn missing_file_is_an_error_naming_the_path() {
    let (errors, _) = run_pipeline(
        "videotestsrc num-buffers=2 ! rsdetect detections=/nonexistent/det.txt ! fakesink",
    );
    assert_eq!(
        errors,
        vec!["Failed to read detections file '/nonexistent/det.txt': No such file or directory (os error 2)"]
    );
}

#[test]
fn malformed_line_is_an_error_with_line_number() {
    let d = tmpdir("detect-malformed");
    let p = d.join("det.txt");
    std::fs::write(&p, "1,-1,1,1,10,10,0.9\n2,-1,51,oops,10,10,0.9\n").unwrap();
    let (errors, _) = run_pipeline(&format!(
        "videotestsrc num-buffers=2 ! rsdetect detections={} ! fakesink",
        p.display()
    ));
    assert_eq!(
        errors,
        vec![format!(
            "Malformed detections file {}:2: column 4 (bb_top): cannot parse 'oops'",
            p.display()
        )]
    );
}

#[test]
fn empty_file_is_an_error() {
    let d = tmpdir("detect-empty");
    let p = d.join("det.txt");
    std::fs::write(&p, "").unwrap();
    let (errors, _) = run_pipeline(&format!(
        "videotestsrc num-buffers=2 ! rsdetect detections={} ! fakesink",
        p.display()
    ));
    assert_eq!(
        errors,
        vec![format!(
            "Malformed detections file {}: file holds no detections (empty)",
            p.display()
        )]
    );
}

#[test]
fn scores_above_one_warn_and_detections_past_the_end_warn_at_eos() {
    let d = tmpdir("detect-scores");
    let p = d.join("det.txt");
    std::fs::write(
        &p,
        "1,-1,1,1,10,10,0.9\n2,-1,1,1,10,10,42.8\n5,-1,1,1,10,10,0.3\n",
    )
    .unwrap();
    let (errors, warnings) = run_pipeline(&format!(
        "videotestsrc num-buffers=3 ! rsdetect detections={} ! fakesink",
        p.display()
    ));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        warnings,
        vec![
            format!("Detection scores in '{}' go up to 42.8 (line 2), above 1.0; score thresholds of the tracker assume scores in [0,1]", p.display()),
            format!("'{}' has detections for 1 frames past the end of the stream (3 frames; frames 4..=4, 0-based)", p.display()),
        ]
    );
}

#[test]
fn neither_model_nor_detections_is_an_error() {
    let (errors, _) = run_pipeline("videotestsrc num-buffers=1 ! rsdetect ! fakesink");
    assert_eq!(
        errors,
        vec![
            "Neither 'model' (an ONNX file) nor 'detections' (a detections file to import) is set"
        ]
    );
}

#[test]
fn a_fifo_or_directory_is_refused_at_once() {
    let d = tmpdir("detect-fifo");
    let fifo = d.join("det.fifo");
    let st = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(st.success());
    for (p, what) in [
        (fifo.display().to_string(), "a FIFO, socket or device"),
        (d.display().to_string(), "a directory"),
    ] {
        let (errors, _) = run_pipeline(&format!(
            "videotestsrc num-buffers=1 ! rsdetect detections={p} ! fakesink"
        ));
        assert_eq!(
            errors,
            [format!(
                "Detections file '{p}' is not a regular file ({what}): detections are read whole at start"
            )]
        );
    }
}

#[test]
fn degenerate_boxes_are_dropped_with_one_warning() {
    let d = tmpdir("detect-degenerate");
    let p = d.join("det.txt");
    std::fs::write(
        &p,
        concat!(
            "1,-1,1,1,10,10,0.9\n",
            "1,-1,10,10,50,0,1\n",
            "2,-1,10,10,0,0,1\n",
            "2,-1,10,10,-5,10,1\n",
            "2,-1,10,nan,5,10,1\n",
            "2,-1,10,10,1e39,10,1\n",
            "2,-1,10,10,5,10,inf\n",
            "3,-1,1,1,20,20,0.5\n",
        ),
    )
    .unwrap();
    let mut h = harness_for(&p);
    let b0 = objects_of(&push_blank(&mut h));
    assert_eq!(b0.len(), 1);
    assert_eq!(b0[0].bbox, BBox::new(0.0, 0.0, 10.0, 10.0));
    assert_eq!(meta_objects(&push_blank(&mut h)), Some(vec![]));
    assert_eq!(
        objects_of(&push_blank(&mut h))[0].bbox,
        BBox::new(0.0, 0.0, 20.0, 20.0)
    );
    let (errors, warnings) = run_pipeline(&format!(
        "videotestsrc num-buffers=3 ! rsdetect detections={} ! fakesink",
        p.display()
    ));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        warnings,
        [format!(
            "'{}': 6 detections dropped (non-finite value or non-positive box size), first at line 2",
            p.display()
        )]
    );
}

#[test]
fn jsonl_degenerate_boxes_keypoints_and_embeddings_are_dropped() {
    let d = tmpdir("detect-jsonl-degenerate");
    let p = d.join("in.jsonl");
    std::fs::write(
        &p,
        concat!(
            r#"{"schema":"rstracking/1","frame":0,"objects":[{"bbox":[1,2,3,4],"confidence":0.5,"keypoints":[[1,2,0.5],[1e39,2,0.5]],"keypoint_states":["measured","measured"],"embedding":[0.6,0.8]}]}"#,
            "\n",
            r#"{"schema":"rstracking/1","frame":1,"objects":[{"bbox":[1,2,0,4],"confidence":0.5},{"bbox":[1,2,3,4],"confidence":0.5,"keypoints":[[1,2,0.5]],"embedding":[1e39,0.8],"embedding_frame":1}]}"#,
            "\n",
        ),
    )
    .unwrap();
    let mut h = harness_for(&p);
    let b0 = objects_of(&push_blank(&mut h));
    assert_eq!(b0.len(), 1);
    assert!(b0[0].keypoints.is_empty());
    assert_eq!(b0[0].embedding.as_deref(), Some(&[0.6f32, 0.8][..]));
    let b1 = objects_of(&push_blank(&mut h));
    assert_eq!(b1.len(), 1);
    assert_eq!(b1[0].keypoints.len(), 1);
    assert_eq!(
        (b1[0].embedding.as_deref(), b1[0].embedding_frame),
        (None, None)
    );
    let (errors, warnings) = run_pipeline(&format!(
        "videotestsrc num-buffers=2 ! rsdetect detections={} ! fakesink",
        p.display()
    ));
    assert!(errors.is_empty(), "{errors:?}");
    let p = p.display();
    assert_eq!(
        warnings,
        [
            format!("'{p}': 1 detection dropped (non-finite value or non-positive box size), first at line 2"),
            format!("'{p}': keypoints of 1 object dropped (non-finite value), first at line 1"),
            format!("'{p}': embeddings of 1 object dropped (non-finite value), first at line 2"),
        ]
    );
}

#[test]
fn negative_scores_warn() {
    let d = tmpdir("detect-negative-scores");
    let p = d.join("det.txt");
    std::fs::write(
        &p,
        "1,-1,1,1,10,10,0.9\n1,-1,1,1,10,10,-0.25\n\n2,-1,1,1,10,10,-0.5\n2,-1,1,1,10,10,1.5\n",
    )
    .unwrap();
    let (errors, warnings) = run_pipeline(&format!(
        "videotestsrc num-buffers=2 ! rsdetect detections={} ! fakesink",
        p.display()
    ));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        warnings,
        [
            format!("Detection scores in '{}' go up to 1.5 (line 5), above 1.0; score thresholds of the tracker assume scores in [0,1]", p.display()),
            format!("Detection scores in '{}' go down to -0.5 (line 4), below 0.0; score thresholds of the tracker assume scores in [0,1]", p.display()),
        ]
    );
}

#[test]
fn boxes_outside_the_frame_warn_once_and_are_kept() {
    let d = tmpdir("detect-outside");
    let p = d.join("det.txt");
    // 320x240 stream: frame 0 inside and partly inside; frame 1 right of
    // and left of the frame; frame 2 below it.
    std::fs::write(
        &p,
        concat!(
            "1,-1,1,1,10,10,0.9\n",
            "1,-1,315,235,20,20,0.9\n",
            "2,-1,400,10,10,10,0.9\n",
            "2,-1,-20,1,10,10,0.9\n",
            "3,-1,1,241,10,10,0.9\n",
        ),
    )
    .unwrap();
    let (errors, warnings) = run_pipeline(&format!(
        "videotestsrc num-buffers=3 ! video/x-raw,width=320,height=240 ! rsdetect detections={} ! fakesink",
        p.display()
    ));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        warnings,
        [format!(
            "'{}': 3 detections entirely outside the 320x240 frame (first on frame 1, 0-based); they are kept, not clipped",
            p.display()
        )]
    );
    // Not clipped (the harness' frame is 640x480).
    std::fs::write(&p, "1,-1,1001,11,10,10,0.9\n").unwrap();
    let mut h = harness_for(&p);
    assert_eq!(
        objects_of(&push_blank(&mut h))[0].bbox,
        BBox::new(1000.0, 10.0, 10.0, 10.0)
    );
}

#[test]
fn jsonl_recorded_at_another_frame_size_warns() {
    let d = tmpdir("detect-recorded-size");
    let p = d.join("in.jsonl");
    let line = |frame: u32, w: u32, h: u32| {
        format!(
            r#"{{"schema":"rstracking/1","frame":{frame},"width":{w},"height":{h},"objects":[{{"bbox":[10,10,20,20],"confidence":0.9}}]}}"#
        )
    };
    std::fs::write(
        &p,
        format!("{}\n{}\n", line(0, 1920, 1080), line(1, 1920, 1080)),
    )
    .unwrap();
    let run = || {
        run_pipeline(&format!(
            "videotestsrc num-buffers=2 ! video/x-raw,width=320,height=240 ! rsdetect detections={} ! fakesink",
            p.display()
        ))
    };
    let (errors, warnings) = run();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        warnings,
        [format!(
            "'{}' was recorded at 1920x1080 but the stream is 320x240: boxes are in the recorded frame's pixels",
            p.display()
        )]
    );
    // The same size: no warning.
    std::fs::write(&p, format!("{}\n", line(0, 320, 240))).unwrap();
    assert_eq!(run(), (vec![], vec![]));
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let d = tmpdir("detect-bom");
    let p = d.join("det.txt");
    std::fs::write(&p, "\u{feff}1,-1,1,1,30,40,0.5\r\n").unwrap();
    let mut h = harness_for(&p);
    assert_eq!(
        objects_of(&push_blank(&mut h))[0].bbox,
        BBox::new(0.0, 0.0, 30.0, 40.0)
    );
    let p = d.join("in.jsonl");
    std::fs::write(
        &p,
        "\u{feff}{\"schema\":\"rstracking/1\",\"frame\":0,\"objects\":[{\"bbox\":[1,2,3,4],\"confidence\":0.5,\"label\":\"car\"}]}\n",
    )
    .unwrap();
    let mut h = harness_for(&p);
    assert_eq!(
        objects_of(&push_blank(&mut h))[0].label.as_deref(),
        Some("car")
    );
}

#[test]
fn invalid_utf8_is_a_read_error() {
    let d = tmpdir("detect-utf8");
    let p = d.join("det.txt");
    std::fs::write(&p, b"1,-1,1,1,10,10,0.9\n2,-1,\xff,1,10,10,0.9\n").unwrap();
    let (errors, _) = run_pipeline(&format!(
        "videotestsrc num-buffers=1 ! rsdetect detections={} ! fakesink",
        p.display()
    ));
    assert_eq!(
        errors,
        [format!(
            "Failed to read detections file '{}': stream did not contain valid UTF-8",
            p.display()
        )]
    );
}

#[test]
fn after_a_flushing_seek_frames_follow_the_position() {
    use gst::prelude::*;
    // 30 fps, a seek to 1 s: the first buffer after it is frame 30 and gets
    // MOT frame 31's detections; rsjsonsink numbers the lines 30, 31, ...
    init();
    let d = tmpdir("detect-seek");
    let det = d.join("det.txt");
    let mut t = String::new();
    for f in 1..=90 {
        t.push_str(&format!("{f},-1,{f},1,10,10,0.9\n"));
    }
    std::fs::write(&det, t).unwrap();
    let out = d.join("out.jsonl");
    let pipeline = gst::parse::launch(&format!(
        "videotestsrc ! video/x-raw,width=160,height=120,framerate=30/1 ! rsdetect detections={} ! rsjsonsink location={}",
        det.display(),
        out.display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    pipeline.set_state(gst::State::Paused).unwrap();
    let (r, _, _) = pipeline.state(gst::ClockTime::from_seconds(10));
    r.unwrap();
    pipeline
        .seek(
            1.0,
            gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE,
            gst::SeekType::Set,
            gst::ClockTime::from_seconds(1),
            gst::SeekType::Set,
            gst::ClockTime::from_mseconds(1190),
        )
        .unwrap();
    play_to_eos(pipeline.upcast_ref());
    let lines: Vec<(u64, f64)> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| {
            (
                v["frame"].as_u64().unwrap(),
                v["objects"][0]["bbox"][0].as_f64().unwrap(),
            )
        })
        .collect();
    // The preroll frame 0 (x = 0, MOT frame 1), then frames 30..=35 with
    // the x of MOT frames 31..=36 (0-based x = frame - 1 + 1).
    let after: Vec<(u64, f64)> = lines.iter().copied().skip_while(|(f, _)| *f < 30).collect();
    assert_eq!(
        after,
        (30..=35).map(|f| (f, f as f64)).collect::<Vec<_>>(),
        "{lines:?}"
    );
}
