//! Wheel file names (PEP 427) and the releases a project's files make (PEP 440).

use std::collections::{BTreeMap, HashSet};
use std::str::FromStr;

use super::{IndexFile, Version};
use crate::util::names::normalise_dist_name;

/// The parts of a PEP 427 wheel file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelName {
    /// Distribution name as written in the file name (not normalised).
    pub distribution: String,
    /// The release's version.
    pub version: Version,
    /// Optional build tag (starts with a digit).
    pub build: Option<String>,
    /// Python tags, e.g. `["py2", "py3"]` for `py2.py3`.
    pub python: Vec<String>,
    /// ABI tags.
    pub abi: Vec<String>,
    /// Platform tags.
    pub platform: Vec<String>,
}

/// Splits a wheel file name `{dist}-{version}(-{build})?-{python}-{abi}-{platform}.whl`
/// (compressed tag sets split on `.`). `None` for sdists, malformed names or bad versions.
pub fn parse_wheel_filename(filename: &str) -> Option<WheelName> {
    let stem = filename.strip_suffix(".whl")?;
    let parts: Vec<&str> = stem.split('-').collect();
    let (dist, version, build, tags) = match parts.as_slice() {
        [d, v, p, a, pl] => (*d, *v, None, [*p, *a, *pl]),
        [d, v, b, p, a, pl] => (*d, *v, Some(*b), [*p, *a, *pl]),
        _ => return None,
    };
    let dist_ok = !dist.is_empty()
        && dist
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if !dist_ok {
        return None;
    }
    if let Some(b) = build {
        if !b.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
    }
    let version = Version::from_str(version).ok()?;
    let split = |set: &str| -> Option<Vec<String>> {
        let tags: Vec<String> = set.split('.').map(str::to_string).collect();
        (!tags.iter().any(String::is_empty)).then_some(tags)
    };
    Some(WheelName {
        distribution: dist.to_string(),
        version,
        build: build.map(str::to_string),
        python: split(tags[0])?,
        abi: split(tags[1])?,
        platform: split(tags[2])?,
    })
}

/// The releases of `project` among `files`, possibly gathered from several indexes.
///
/// Keeps wheels whose distribution normalises to `project` and that are not yanked; pre- and dev
/// releases only when `pre`. Post and local versions are kept as they are. A file name seen twice
/// is kept once (the first wins). Releases are ordered by PEP 440.
pub fn releases(
    files: &[IndexFile],
    project: &str,
    pre: bool,
) -> BTreeMap<Version, Vec<IndexFile>> {
    let want = normalise_dist_name(project);
    let mut seen = HashSet::new();
    let mut out: BTreeMap<Version, Vec<IndexFile>> = BTreeMap::new();
    for file in files {
        if file.yanked {
            continue;
        }
        let Some(wheel) = parse_wheel_filename(&file.filename) else {
            continue;
        };
        if normalise_dist_name(&wheel.distribution) != want {
            continue;
        }
        if !pre && wheel.version.any_prerelease() {
            continue;
        }
        if !seen.insert(file.filename.clone()) {
            continue;
        }
        out.entry(wheel.version).or_default().push(file.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::Url;

    fn file(name: &str, base: &str, yanked: bool) -> IndexFile {
        IndexFile {
            filename: name.to_string(),
            url: Url::parse(&format!("{base}{name}")).expect("test URL"),
            sha256: None,
            size: None,
            yanked,
            requires_python: None,
        }
    }

    #[test]
    fn wheel_names() {
        let w = parse_wheel_filename("torch-2.5.0+cu121-cp312-cp312-manylinux_2_28_x86_64.whl")
            .expect("wheel");
        assert_eq!(w.distribution, "torch");
        assert_eq!(
            w.version,
            Version::from_str("2.5.0+cu121").expect("version")
        );
        assert_eq!(w.build, None);
        assert_eq!(w.python, vec!["cp312"]);
        assert_eq!(w.platform, vec!["manylinux_2_28_x86_64"]);

        let w = parse_wheel_filename(
            "pkg_name-1.0-1b-py2.py3-none-manylinux1_x86_64.manylinux_2_5_x86_64.whl",
        )
        .expect("wheel with build tag");
        assert_eq!(w.distribution, "pkg_name");
        assert_eq!(w.build.as_deref(), Some("1b"));
        assert_eq!(w.python, vec!["py2", "py3"]);
        assert_eq!(w.abi, vec!["none"]);
        assert_eq!(
            w.platform,
            vec!["manylinux1_x86_64", "manylinux_2_5_x86_64"]
        );

        for bad in [
            "torch-2.5.0.tar.gz",
            "torch-2.5.0.zip",
            "torch-2.5.0-py3-none.whl",
            "torch-notaversion-py3-none-any.whl",
            "torch-2.5.0-b1-py3-none-any.whl",
            "torch-2.5.0-py3-none-any.whl.metadata",
            "-2.5.0-py3-none-any.whl",
            "torch-2.5.0-py3..-none-any.whl",
            "a-b-c-d-e-f-g.whl",
            "",
        ] {
            assert_eq!(parse_wheel_filename(bad), None, "{bad}");
        }
    }

    #[test]
    fn releases_filter_and_order() {
        let a = "https://index.example/files/";
        let b = "https://files.example/other/";
        let files = vec![
            file("torch-2.9.1-cp312-cp312-linux_x86_64.whl", a, false),
            file("torch-2.10.0-cp312-cp312-linux_x86_64.whl", a, false),
            file("torch-2.8.0-cp312-cp312-linux_x86_64.whl", a, true),
            file("torch-2.11.0rc1-cp312-cp312-linux_x86_64.whl", a, false),
            file(
                "torch-2.11.0.dev20250101-cp312-cp312-linux_x86_64.whl",
                a,
                false,
            ),
            file("torch-2.9.1.post1-cp312-cp312-linux_x86_64.whl", a, false),
            file("torch-2.9.1+cpu-cp312-cp312-linux_x86_64.whl", a, false),
            file("torchvision-0.20.0-cp312-cp312-linux_x86_64.whl", a, false),
            file("torch-2.7.0.tar.gz", a, false),
            // Same release from a second index: merged; same filename: first wins.
            file("torch-2.10.0-cp312-cp312-linux_x86_64.whl", b, false),
            file("torch-2.10.0-cp313-cp313-linux_x86_64.whl", b, false),
            file("Torch-2.9.1-cp311-cp311-linux_x86_64.whl", b, false),
        ];
        let v = |s: &str| Version::from_str(s).expect("version");

        let stable = releases(&files, "torch", false);
        let keys: Vec<String> = stable.keys().map(ToString::to_string).collect();
        assert_eq!(keys, vec!["2.9.1", "2.9.1+cpu", "2.9.1.post1", "2.10.0"]);
        let ten = &stable[&v("2.10.0")];
        assert_eq!(ten.len(), 2);
        assert!(ten[0].url.as_str().starts_with(a));
        assert!(ten[1].filename.contains("cp313"));
        assert_eq!(stable[&v("2.9.1")].len(), 2);
        assert!(stable.keys().last() == Some(&v("2.10.0")));

        let all = releases(&files, "TORCH", true);
        assert!(all.contains_key(&v("2.11.0rc1")));
        assert!(all.contains_key(&v("2.11.0.dev20250101")));
        assert!(!all.contains_key(&v("2.8.0")));
        assert!(!all.contains_key(&v("2.7.0")));
        assert_eq!(all.keys().last(), Some(&v("2.11.0rc1")));

        let vision = releases(&files, "torch_vision", false);
        assert_eq!(vision.len(), 0);
        let vision = releases(&files, "TorchVision", false);
        assert_eq!(vision.len(), 1);
    }
}
