//! Copying manifests that live in sub-folders while keeping their paths, so a build tool sees
//! the same layout before the source copy as after it (`apps/web/mix.exs` stays
//! `apps/web/mix.exs`; a glob `COPY apps/*/mix.exs ./apps/` would flatten them).

use crate::plan::{Phase, Step};

/// One `COPY` per destination folder, in the order the folders first appear; root files go
/// to `./`, `a/b/f` goes to `a/b/`. The first step carries `why`.
pub fn copy_keeping_paths(files: &[String], why: &str) -> Vec<Step> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for f in files {
        let dest = match f.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/"),
            None => "./".to_string(),
        };
        match groups.iter_mut().find(|(d, _)| *d == dest) {
            Some((_, list)) => list.push(f.clone()),
            None => groups.push((dest, vec![f.clone()])),
        }
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(i, (dest, sources))| {
            let step = Step::copy(Phase::Manifests, sources, &dest);
            if i == 0 {
                step.why(why)
            } else {
                step
            }
        })
        .collect()
}

/// Sort paths so that shallower files come first, then by name: stable output whatever order
/// the directory listing had.
pub fn sort_by_depth(paths: &mut [String]) {
    paths.sort_by(|a, b| {
        a.matches('/')
            .count()
            .cmp(&b.matches('/').count())
            .then_with(|| a.cmp(b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Instruction;

    #[test]
    fn groups_by_folder_and_keeps_paths() {
        let files: Vec<String> = [
            "mix.exs",
            "mix.lock",
            "apps/web/mix.exs",
            "apps/core/mix.exs",
            "apps/web/x",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let steps = copy_keeping_paths(&files, "why");
        let dests: Vec<(Vec<String>, String)> = steps
            .iter()
            .map(|s| match &s.instruction {
                Instruction::Copy { sources, dest, .. } => (sources.clone(), dest.clone()),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(
            dests,
            vec![
                (vec!["mix.exs".into(), "mix.lock".into()], "./".into()),
                (
                    vec!["apps/web/mix.exs".into(), "apps/web/x".into()],
                    "apps/web/".into()
                ),
                (vec!["apps/core/mix.exs".into()], "apps/core/".into()),
            ]
        );
        assert_eq!(steps[0].comment.as_deref(), Some("why"));
        assert!(steps[1].comment.is_none());
    }

    #[test]
    fn depth_sort() {
        let mut v: Vec<String> = ["b/x", "z", "a/b/c", "a"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        sort_by_depth(&mut v);
        assert_eq!(v, ["a", "z", "b/x", "a/b/c"]);
    }
}
