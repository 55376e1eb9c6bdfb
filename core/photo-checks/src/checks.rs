//! The measurements and verdicts. Pure: a frame in, a [`FrameReport`] out.

use image::RgbImage;

use crate::PhotoError;
use crate::config::CheckConfig;
use crate::imageops::{Affine, Point, Pyramid, Rect, luma_of, mean_std};
use crate::models::{Detection, FaceModels, Mesh};
use crate::report::{CheckName, CheckResult, FaceReport, FrameReport, Guide, Threshold};

// Face mesh landmark indices (MediaPipe canonical face model).
const RIGHT_EYE_OUTER: usize = 33;
const RIGHT_EYE_INNER: usize = 133;
const RIGHT_EYE_UPPER: usize = 159;
const RIGHT_EYE_LOWER: usize = 145;
const LEFT_EYE_INNER: usize = 362;
const LEFT_EYE_OUTER: usize = 263;
const LEFT_EYE_UPPER: usize = 386;
const LEFT_EYE_LOWER: usize = 374;
const LIP_UPPER_INNER: usize = 13;
const LIP_LOWER_INNER: usize = 14;
const MOUTH_RIGHT: usize = 61;
const MOUTH_LEFT: usize = 291;
const NOSE_TIP: usize = 1;
const FOREHEAD_TOP: usize = 10;
const CHIN: usize = 152;
const CHEEK_RIGHT: usize = 234;
const CHEEK_LEFT: usize = 454;

/// The largest centred 35:45 rectangle of a `width` x `height` frame.
pub fn guide_rect(width: u32, height: u32) -> Rect {
    let (w, h) = (width as f32, height as f32);
    if w / h > 35.0 / 45.0 {
        let gw = h * 35.0 / 45.0;
        Rect {
            x: (w - gw) / 2.0,
            y: 0.0,
            width: gw,
            height: h,
        }
    } else {
        let gh = w * 45.0 / 35.0;
        Rect {
            x: 0.0,
            y: (h - gh) / 2.0,
            width: w,
            height: gh,
        }
    }
}

fn guide(width: u32, height: u32, config: &CheckConfig) -> Guide {
    let rect = guide_rect(width, height);
    let bottom = rect.y + rect.height;
    let eye_band = [
        bottom - rect.height * config.eye_line_max_percent / 100.0,
        bottom - rect.height * config.eye_line_min_percent / 100.0,
    ];
    let eye_mid = (eye_band[0] + eye_band[1]) / 2.0;
    let head_mid = (config.head_min_percent + config.head_max_percent) / 200.0 * rect.height;
    // Typical face: the eyes sit about 55 % of the chin-to-crown distance above the chin.
    let chin_y = eye_mid + 0.55 * head_mid;
    Guide {
        rect,
        centre_x: rect.x + rect.width / 2.0,
        eye_band,
        crown_band: [
            chin_y - rect.height * config.head_max_percent / 100.0,
            chin_y - rect.height * config.head_min_percent / 100.0,
        ],
        chin_y,
    }
}

/// The measured geometry of one face.
struct Face {
    detection: Detection,
    mesh: Mesh,
    right_eye: Point,
    left_eye: Point,
    eye_mid: Point,
    chin: Point,
    crown: Point,
    /// Unit vector from chin towards the forehead.
    up: Point,
    /// Unit vector along the eye line, from the person's right eye to the left.
    across: Point,
    cheek_width: f32,
    roll: f32,
    yaw: f32,
    pitch: f32,
}

fn unit(v: Point) -> Point {
    let n = v.x.hypot(v.y).max(1e-6);
    Point::new(v.x / n, v.y / n)
}

/// Runs every check on one frame.
pub fn run(
    models: &FaceModels,
    frame: &RgbImage,
    config: &CheckConfig,
) -> Result<FrameReport, PhotoError> {
    let (width, height) = frame.dimensions();
    let guide = guide(width, height, config);
    if width < 32 || height < 32 {
        return Ok(report_without_face(width, height, guide, 0, config));
    }
    let pyramid = Pyramid::new(frame, 5);
    let min_height = config.min_face_height_fraction * height as f32;
    let mut faces: Vec<Detection> = models
        .detect(&pyramid, config.min_face_score)?
        .into_iter()
        .filter(|d| d.rect.height >= min_height)
        .collect();
    // The applicant is the largest face; any other face is reported, not measured.
    faces.sort_by(|a, b| (b.rect.width * b.rect.height).total_cmp(&(a.rect.width * a.rect.height)));
    let Some(primary) = faces.first().cloned() else {
        return Ok(report_without_face(width, height, guide, 0, config));
    };
    let mesh = models.mesh(&pyramid, &primary)?;
    if mesh.score < 0.5 {
        return Ok(report_without_face(width, height, guide, 0, config));
    }
    let others: Vec<Rect> = faces.iter().skip(1).map(|d| d.rect).collect();
    let face = measure_face(&pyramid, primary, mesh, &guide, config);

    let mut checks = Vec::with_capacity(CheckName::ALL.len());
    checks.push(one_face(faces.len()));
    checks.push(frontal_pose(&face, config));
    checks.push(eyes_open(&face, config));
    checks.push(mouth_closed(&face, config));
    let g = guide.rect;
    let centre = (face.eye_mid.x - g.x) / g.width * 100.0;
    checks.push(verdict(
        CheckName::Centred,
        centre,
        Threshold {
            min: Some(config.centre_min_percent),
            max: Some(config.centre_max_percent),
        },
        if centre < config.centre_min_percent {
            // The camera image is not mirrored: the person's left is the image's right.
            ("Geser sedikit ke kiri Anda.", "Move a little to your left.")
        } else {
            (
                "Geser sedikit ke kanan Anda.",
                "Move a little to your right.",
            )
        },
    ));
    let head = face.chin.dist(face.crown) / g.height * 100.0;
    checks.push(verdict(
        CheckName::HeadSize,
        head,
        Threshold {
            min: Some(config.head_min_percent),
            max: Some(config.head_max_percent),
        },
        if head < config.head_min_percent {
            (
                "Maju sedikit ke kamera.",
                "Move a little closer to the camera.",
            )
        } else {
            (
                "Mundur sedikit dari kamera.",
                "Move back a little from the camera.",
            )
        },
    ));
    let eye_line = (g.y + g.height - face.eye_mid.y) / g.height * 100.0;
    checks.push(verdict(
        CheckName::EyeLine,
        eye_line,
        Threshold {
            min: Some(config.eye_line_min_percent),
            max: Some(config.eye_line_max_percent),
        },
        if eye_line < config.eye_line_min_percent {
            (
                "Mata terlalu rendah: duduk tegak atau naikkan kursi (atau turunkan kamera).",
                "Eyes too low: sit up straight or raise the seat (or lower the camera).",
            )
        } else {
            (
                "Mata terlalu tinggi: turunkan kursi (atau naikkan kamera).",
                "Eyes too high: lower the seat (or raise the camera).",
            )
        },
    ));
    let face_luma = face_luma(&pyramid, &face);
    let (bg_ratio, bg_spread) = background(&pyramid, &face, &guide, &others, face_luma);
    checks.push(match bg_ratio {
        Some(ratio) => verdict(
            CheckName::BackgroundLight,
            ratio,
            Threshold {
                min: Some(config.min_background_ratio),
                max: None,
            },
            (
                "Latar belakang terlalu gelap. Pakai latar putih atau terang dan terangi latarnya.",
                "Background too dark. Use a white or light background and light it.",
            ),
        ),
        None => unmeasurable(
            CheckName::BackgroundLight,
            Threshold {
                min: Some(config.min_background_ratio),
                max: None,
            },
        ),
    });
    checks.push(match bg_spread {
        Some(spread) => verdict(
            CheckName::BackgroundEven,
            spread,
            Threshold { min: None, max: Some(config.max_background_spread) },
            (
                "Latar belakang harus polos dan rata: singkirkan benda di belakang pemohon dan hindari bayangan.",
                "The background must be plain and even: remove objects behind the applicant and avoid shadows.",
            ),
        ),
        None => unmeasurable(CheckName::BackgroundEven, Threshold { min: None, max: Some(config.max_background_spread) }),
    });
    checks.push(verdict(
        CheckName::Exposure,
        face_luma,
        Threshold {
            min: Some(config.min_face_luma),
            max: Some(config.max_face_luma),
        },
        if face_luma < config.min_face_luma {
            (
                "Wajah terlalu gelap. Tambah cahaya ke wajah.",
                "Face too dark. Add light on the face.",
            )
        } else {
            (
                "Wajah terlalu terang. Kurangi cahaya atau jauhkan lampu.",
                "Face too bright. Reduce the light or move the lamp away.",
            )
        },
    ));
    let sharpness = sharpness(&pyramid, &face);
    checks.push(verdict(
        CheckName::Sharpness,
        sharpness,
        Threshold {
            min: Some(config.min_sharpness),
            max: None,
        },
        (
            "Foto kabur. Diam sejenak dan pastikan kamera fokus.",
            "The photo is blurred. Hold still and make sure the camera is in focus.",
        ),
    ));
    let glare = eye_glare(&pyramid, &face);
    checks.push(verdict(
        CheckName::EyeGlare,
        glare,
        Threshold {
            min: None,
            max: Some(config.max_eye_glare),
        },
        (
            "Ada pantulan cahaya di mata. Lepas kacamata atau ubah arah lampu.",
            "Light reflects over the eyes. Take off glasses or turn the lamp.",
        ),
    ));

    let passed = checks.iter().all(|c| c.pass);
    Ok(FrameReport {
        width,
        height,
        passed,
        faces_found: faces.len(),
        face: Some(FaceReport {
            rect: face.detection.rect,
            score: face.detection.score,
            right_eye: face.right_eye,
            left_eye: face.left_eye,
            nose_tip: face.mesh.p(NOSE_TIP),
            mouth: face
                .mesh
                .p(LIP_UPPER_INNER)
                .mid(face.mesh.p(LIP_LOWER_INNER)),
            chin: face.chin,
            crown: face.crown,
            roll_degrees: face.roll,
            yaw_degrees: face.yaw,
            pitch_degrees: face.pitch,
        }),
        other_faces: others,
        guide,
        checks,
    })
}

const OK: (&str, &str) = ("Sudah baik.", "OK.");

fn verdict(name: CheckName, value: f32, threshold: Threshold, advice: (&str, &str)) -> CheckResult {
    let pass = value.is_finite() && threshold.admits(value);
    let (message, message_en) = if pass { OK } else { advice };
    CheckResult {
        name,
        value: value.is_finite().then_some(value),
        threshold,
        pass,
        message: message.to_owned(),
        message_en: message_en.to_owned(),
    }
}

/// A check that needs something the frame does not show (a background strip): not failed.
fn unmeasurable(name: CheckName, threshold: Threshold) -> CheckResult {
    CheckResult {
        name,
        value: None,
        threshold,
        pass: true,
        message: "Tidak dapat diukur pada gambar ini.".to_owned(),
        message_en: "Cannot be measured in this image.".to_owned(),
    }
}

fn one_face(count: usize) -> CheckResult {
    let (message, message_en) = match count {
        1 => OK,
        0 => (
            "Wajah tidak terlihat. Hadapkan wajah ke kamera.",
            "No face seen. Face the camera.",
        ),
        _ => (
            "Hanya pemohon yang boleh terlihat di foto. Minta orang lain menjauh.",
            "Only the applicant may be in the photo. Ask others to step away.",
        ),
    };
    CheckResult {
        name: CheckName::OneFace,
        value: Some(count as f32),
        threshold: Threshold {
            min: Some(1.0),
            max: Some(1.0),
        },
        pass: count == 1,
        message: message.to_owned(),
        message_en: message_en.to_owned(),
    }
}

fn report_without_face(
    width: u32,
    height: u32,
    guide: Guide,
    count: usize,
    config: &CheckConfig,
) -> FrameReport {
    let thresholds = thresholds(config);
    let checks = CheckName::ALL
        .iter()
        .zip(thresholds)
        .map(|(&name, threshold)| {
            if name == CheckName::OneFace {
                one_face(count)
            } else {
                CheckResult {
                    name,
                    value: None,
                    threshold,
                    pass: false,
                    message: "Menunggu wajah terlihat.".to_owned(),
                    message_en: "Waiting for a face.".to_owned(),
                }
            }
        })
        .collect();
    FrameReport {
        width,
        height,
        passed: false,
        faces_found: count,
        face: None,
        other_faces: Vec::new(),
        guide,
        checks,
    }
}

fn thresholds(c: &CheckConfig) -> [Threshold; 12] {
    let range = |min, max| Threshold {
        min: Some(min),
        max: Some(max),
    };
    [
        range(1.0, 1.0),
        Threshold {
            min: None,
            max: Some(
                c.max_roll_degrees
                    .min(c.max_yaw_degrees)
                    .min(c.max_pitch_degrees),
            ),
        },
        Threshold {
            min: Some(c.min_eye_openness),
            max: None,
        },
        Threshold {
            min: None,
            max: Some(c.max_mouth_opening),
        },
        range(c.centre_min_percent, c.centre_max_percent),
        range(c.head_min_percent, c.head_max_percent),
        range(c.eye_line_min_percent, c.eye_line_max_percent),
        Threshold {
            min: Some(c.min_background_ratio),
            max: None,
        },
        Threshold {
            min: None,
            max: Some(c.max_background_spread),
        },
        range(c.min_face_luma, c.max_face_luma),
        Threshold {
            min: Some(c.min_sharpness),
            max: None,
        },
        Threshold {
            min: None,
            max: Some(c.max_eye_glare),
        },
    ]
}

fn frontal_pose(face: &Face, config: &CheckConfig) -> CheckResult {
    // Each axis against its own limit; the report shows the axis that is furthest over.
    let axes = [
        (
            face.roll.abs(),
            config.max_roll_degrees,
            (
                "Tegakkan kepala, jangan dimiringkan.",
                "Hold your head straight, do not tilt it.",
            ),
        ),
        (
            face.yaw.abs(),
            config.max_yaw_degrees,
            (
                "Hadapkan wajah lurus ke kamera.",
                "Turn your face straight to the camera.",
            ),
        ),
        (
            face.pitch.abs(),
            config.max_pitch_degrees,
            if face.pitch > 0.0 {
                ("Angkat dagu sedikit.", "Raise your chin a little.")
            } else {
                ("Turunkan dagu sedikit.", "Lower your chin a little.")
            },
        ),
    ];
    let worst = axes
        .iter()
        .max_by(|a, b| (a.0 / a.1.max(1e-3)).total_cmp(&(b.0 / b.1.max(1e-3))))
        .unwrap_or(&axes[0]);
    verdict(
        CheckName::FrontalPose,
        worst.0,
        Threshold {
            min: None,
            max: Some(worst.1),
        },
        worst.2,
    )
}

fn eyes_open(face: &Face, config: &CheckConfig) -> CheckResult {
    let m = &face.mesh;
    let ratio = |upper, lower, a, b| m.p(upper).dist(m.p(lower)) / m.p(a).dist(m.p(b)).max(1e-3);
    let right = ratio(
        RIGHT_EYE_UPPER,
        RIGHT_EYE_LOWER,
        RIGHT_EYE_OUTER,
        RIGHT_EYE_INNER,
    );
    let left = ratio(
        LEFT_EYE_UPPER,
        LEFT_EYE_LOWER,
        LEFT_EYE_INNER,
        LEFT_EYE_OUTER,
    );
    verdict(
        CheckName::EyesOpen,
        right.min(left),
        Threshold {
            min: Some(config.min_eye_openness),
            max: None,
        },
        (
            "Buka mata dan lihat ke kamera.",
            "Open your eyes and look at the camera.",
        ),
    )
}

fn mouth_closed(face: &Face, config: &CheckConfig) -> CheckResult {
    let m = &face.mesh;
    let gap = m.p(LIP_UPPER_INNER).dist(m.p(LIP_LOWER_INNER))
        / m.p(MOUTH_RIGHT).dist(m.p(MOUTH_LEFT)).max(1e-3);
    verdict(
        CheckName::MouthClosed,
        gap,
        Threshold {
            min: None,
            max: Some(config.max_mouth_opening),
        },
        (
            "Tutup mulut, wajah tenang.",
            "Close your mouth, keep a neutral face.",
        ),
    )
}

fn measure_face(
    pyramid: &Pyramid<'_>,
    detection: Detection,
    mesh: Mesh,
    guide: &Guide,
    config: &CheckConfig,
) -> Face {
    let right_eye = mesh.p(RIGHT_EYE_OUTER).mid(mesh.p(RIGHT_EYE_INNER));
    let left_eye = mesh.p(LEFT_EYE_INNER).mid(mesh.p(LEFT_EYE_OUTER));
    let eye_mid = right_eye.mid(left_eye);
    let chin = mesh.p(CHIN);
    let forehead = mesh.p(FOREHEAD_TOP);
    let up = unit(Point::new(forehead.x - chin.x, forehead.y - chin.y));
    let across = unit(Point::new(
        left_eye.x - right_eye.x,
        left_eye.y - right_eye.y,
    ));
    let roll = across.y.atan2(across.x).to_degrees();
    let cheek = |i| (mesh.p(i), mesh.z(i));
    let ((cr, zr), (cl, zl)) = (cheek(CHEEK_RIGHT), cheek(CHEEK_LEFT));
    let cheek_width = cr.dist(cl);
    let yaw = (zl - zr).atan2(cheek_width.max(1e-3)).to_degrees();
    let face_height = forehead.dist(chin);
    let pitch_raw = (mesh.z(CHIN) - mesh.z(FOREHEAD_TOP))
        .atan2(face_height.max(1e-3))
        .to_degrees();
    let pitch = pitch_raw - config.pitch_neutral_degrees;
    let crown = find_crown(pyramid, forehead, up, face_height, &guide.rect);
    Face {
        detection,
        mesh,
        right_eye,
        left_eye,
        eye_mid,
        chin,
        crown,
        up,
        across,
        cheek_width,
        roll,
        yaw,
        pitch,
    }
}

/// Mean RGB of the guide's two top corners: the background colour when the photo is right.
fn corner_colour(pyramid: &Pyramid<'_>, g: &Rect) -> [f32; 3] {
    let mut acc = [0.0f32; 3];
    let mut n = 0.0;
    for (x0, x1) in [(0.02, 0.12), (0.88, 0.98)] {
        for i in 0..6 {
            for j in 0..4 {
                let x = g.x + g.width * (x0 + (x1 - x0) * i as f32 / 5.0);
                let y = g.y + g.height * (0.02 + 0.06 * j as f32 / 3.0);
                let c = crate::imageops::sample(pyramid.base(), x, y);
                for (a, v) in acc.iter_mut().zip(c) {
                    *a += v;
                }
                n += 1.0;
            }
        }
    }
    acc.map(|a| a / n)
}

/// The crown: walk up from the top of the forehead until a band across the head looks like
/// the background (the guide's top corners). Hair and headwear count as head. Clamped to
/// 0.3-0.8 of the forehead-to-chin height above the forehead; 0.5 when nothing is found or
/// when the head runs off the top edge first.
fn find_crown(
    pyramid: &Pyramid<'_>,
    forehead: Point,
    up: Point,
    face_height: f32,
    guide: &Rect,
) -> Point {
    let background = corner_colour(pyramid, guide);
    // Colour distances are scaled to the backdrop's brightness, so a dim photo finds the
    // same crown as a bright one.
    let scale = 200.0 / luma_of(background).max(20.0);
    let across = Point::new(-up.y, up.x);
    let frame = pyramid.base();
    let mut found = None;
    let mut run = 0;
    let mut t = 0.2;
    while t <= 0.85 {
        let centre = Point::new(
            forehead.x + up.x * t * face_height,
            forehead.y + up.y * t * face_height,
        );
        if centre.y < 0.0 {
            // The head reaches the top edge: the crown is at or beyond it; take the typical
            // height if that is higher still.
            found = Some(t.max(0.5));
            break;
        }
        let mut distance = 0.0;
        for k in -2..=2 {
            let s = k as f32 * 0.07 * face_height;
            let c =
                crate::imageops::sample(frame, centre.x + across.x * s, centre.y + across.y * s);
            distance += ((c[0] - background[0]).powi(2)
                + (c[1] - background[1]).powi(2)
                + (c[2] - background[2]).powi(2))
            .sqrt();
        }
        if distance / 5.0 * scale < 40.0 {
            run += 1;
            if run == 2 {
                found = Some(t - 0.02);
                break;
            }
        } else {
            run = 0;
        }
        t += 0.02;
    }
    let t = found.unwrap_or(0.5).clamp(0.3, 0.8);
    Point::new(
        forehead.x + up.x * t * face_height,
        forehead.y + up.y * t * face_height,
    )
}

/// A face-aligned map: destination `(u, v)` in `0..size` covers a square of `side` frame
/// pixels centred on `centre`, rows along the eye line.
fn aligned(
    face: &Face,
    centre: Point,
    side_x: f32,
    side_y: f32,
    size_x: usize,
    size_y: usize,
) -> Affine {
    let (sx, sy) = (side_x / size_x as f32, side_y / size_y as f32);
    let ax = Point::new(face.across.x * sx, face.across.y * sx);
    let down = Point::new(-face.up.x, -face.up.y);
    let ay = Point::new(down.x * sy, down.y * sy);
    let origin = Point::new(
        centre.x - ax.x * size_x as f32 / 2.0 - ay.x * size_y as f32 / 2.0,
        centre.y - ax.y * size_x as f32 / 2.0 - ay.y * size_y as f32 / 2.0,
    );
    Affine { origin, ax, ay }
}

/// Mean luma of the cheeks and nose (between the eyes and the mouth).
fn face_luma(pyramid: &Pyramid<'_>, face: &Face) -> f32 {
    let mouth = face.mesh.p(LIP_UPPER_INNER);
    let centre = face.eye_mid.mid(mouth);
    let height = face.eye_mid.dist(mouth) * 0.8;
    let map = aligned(face, centre, face.cheek_width * 0.6, height, 24, 16);
    mean_std(&pyramid.warp_luma(&map, 24, 16)).0
}

/// Background brightness relative to the face, and its spread: sampled inside the guide,
/// above the chin, outside the head (an ellipse from chin to crown, widened for hair) and
/// outside other faces.
fn background(
    pyramid: &Pyramid<'_>,
    face: &Face,
    guide: &Guide,
    others: &[Rect],
    face_luma: f32,
) -> (Option<f32>, Option<f32>) {
    let g = guide.rect;
    let frame = pyramid.base();
    let head_centre = face.chin.mid(face.crown);
    let semi_v = face.chin.dist(face.crown) / 2.0 * 1.08;
    let semi_h = face.cheek_width / 2.0 * 1.8;
    // Above the eyes only: shoulders, collars and headrests rise beside the chin.
    let bottom = face
        .eye_mid
        .y
        .min(g.y + g.height)
        .min(frame.height() as f32);
    let step = (g.width / 60.0).max(1.0);
    let mut values = Vec::new();
    let mut y = g.y.max(0.0) + step / 2.0;
    while y < bottom {
        let mut x = g.x.max(0.0) + step / 2.0;
        while x < (g.x + g.width).min(frame.width() as f32) {
            let d = Point::new(x - head_centre.x, y - head_centre.y);
            let along = d.x * face.up.x + d.y * face.up.y;
            let side = d.x * face.across.x + d.y * face.across.y;
            let inside_head = (along / semi_v).powi(2) + (side / semi_h).powi(2) <= 1.0;
            let p = Point::new(x, y);
            let inside_other = others.iter().any(|r| {
                let grown = Rect {
                    x: r.x - r.width * 0.5,
                    y: r.y - r.height * 0.7,
                    width: r.width * 2.0,
                    height: r.height * 2.4,
                };
                grown.contains(p)
            });
            if !inside_head && !inside_other {
                values.push(luma_of(crate::imageops::sample(frame, x, y)));
            }
            x += step;
        }
        y += step;
    }
    if values.len() < 40 {
        return (None, None);
    }
    let (mean, spread) = mean_std(&values);
    (Some(mean / face_luma.max(1.0)), Some(spread))
}

/// Laplacian energy of the contrast-normalised face (eyes to chin) at a fixed 64 px scale,
/// so neither the face's size in the frame nor the light changes it; blur lowers it.
fn sharpness(pyramid: &Pyramid<'_>, face: &Face) -> f32 {
    const N: usize = 64;
    let side = face.cheek_width * 0.8;
    let centre = face.eye_mid.mid(face.mesh.p(LIP_UPPER_INNER));
    let map = aligned(face, centre, side, side, N, N);
    let patch = pyramid.warp_luma(&map, N, N);
    let (mean, std) = mean_std(&patch);
    if std < 1e-3 {
        return 0.0;
    }
    let norm: Vec<f32> = patch.iter().map(|v| (v - mean) / std).collect();
    let mut energy = 0.0;
    let mut n = 0.0;
    for y in 1..N - 1 {
        for x in 1..N - 1 {
            let i = y * N + x;
            let lap = 4.0 * norm[i] - norm[i - 1] - norm[i + 1] - norm[i - N] - norm[i + N];
            energy += lap * lap;
            n += 1.0;
        }
    }
    energy / n
}

/// Share of near-white, colourless pixels in boxes around both eyes (wide enough to cover a
/// spectacle lens).
fn eye_glare(pyramid: &Pyramid<'_>, face: &Face) -> f32 {
    let m = &face.mesh;
    let mut bright = 0usize;
    let mut total = 0usize;
    for (eye, (a, b)) in [
        (face.right_eye, (RIGHT_EYE_OUTER, RIGHT_EYE_INNER)),
        (face.left_eye, (LEFT_EYE_INNER, LEFT_EYE_OUTER)),
    ] {
        let eye_width = m.p(a).dist(m.p(b));
        let map = aligned(face, eye, eye_width * 1.8, eye_width * 1.2, 30, 20);
        let patch = pyramid.warp_rgb(&map, 30, 20);
        for p in patch.pixels() {
            let [r, g, b] = p.0;
            if r.min(g).min(b) >= 235 {
                bright += 1;
            }
            total += 1;
        }
    }
    if total == 0 {
        0.0
    } else {
        bright as f32 / total as f32
    }
}
