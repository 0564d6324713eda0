//! The public names of a surface, each with the definition it resolves to.
//!
//! A torch release has some 125,000 of them, most of them class members reached through a
//! base (`torch.nn.Linear.forward`, `torch.fft.Tensor.sum`). A map of owned strings made them
//! a good part of a diff's time and memory: one allocation per name, the map copied as it grew.
//! Here the names are one text, the records one list sorted by name, and a hash table holds
//! positions in that list.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use crate::snapshot::Symbol;

/// (definition name, definition record).
pub type Resolved<'a> = (&'a str, &'a Symbol);

struct Entry<'a> {
    start: u32,
    len: u32,
    hash: u64,
    value: Resolved<'a>,
    /// The name's module `__all__` leaves it (or a name it is inside) out.
    unlisted: bool,
    /// A class member found through a base, not defined by the class named.
    inherited: bool,
}

/// Public name → (definition name, definition record), iterated in name order.
#[derive(Default)]
pub struct Names<'a> {
    text: String,
    entries: Vec<Entry<'a>>,
    index: HashTable<u32>,
    sorted: bool,
}

impl<'a> Names<'a> {
    pub(super) fn with_capacity(names: usize, bytes: usize) -> Self {
        Names {
            text: String::with_capacity(bytes),
            entries: Vec::with_capacity(names),
            index: HashTable::with_capacity(names),
            sorted: true,
        }
    }

    pub(super) fn reserve(&mut self, names: usize, bytes: usize) {
        self.text.reserve(bytes);
        self.entries.reserve(names);
        let Names { index, entries, .. } = self;
        index.reserve(names, |&i| entries[i as usize].hash);
    }

    fn hash(name: &str) -> u64 {
        FxBuildHasher.hash_one(name)
    }

    fn name_of(&self, e: &Entry) -> &str {
        &self.text[e.start as usize..(e.start + e.len) as usize]
    }

    fn find(&self, name: &str, hash: u64) -> Option<usize> {
        self.index
            .find(hash, |&i| {
                self.name_of(&self.entries[i as usize]).as_bytes() == name.as_bytes()
            })
            .map(|&i| i as usize)
    }

    /// Adds `name` unless it is there already; says whether it was added. Names added out of
    /// order are put in order by [`Names::sort`].
    pub(super) fn insert_new(&mut self, name: &str, value: Resolved<'a>, unlisted: bool) -> bool {
        self.insert_member(name, value, unlisted, false)
    }

    /// [`Names::insert_new`] for a class member, `inherited` when found through a base.
    pub(super) fn insert_member(
        &mut self,
        name: &str,
        value: Resolved<'a>,
        unlisted: bool,
        inherited: bool,
    ) -> bool {
        let hash = Self::hash(name);
        if self.find(name, hash).is_some() {
            return false;
        }
        if let Some(last) = self.entries.last() {
            if self.sorted && self.name_of(last) >= name {
                self.sorted = false;
            }
        }
        let at = self.entries.len() as u32;
        self.entries.push(Entry {
            start: self.text.len() as u32,
            len: name.len() as u32,
            hash,
            value,
            unlisted,
            inherited,
        });
        self.text.push_str(name);
        let Names { index, entries, .. } = self;
        index.insert_unique(hash, at, |&i| entries[i as usize].hash);
        true
    }

    /// Puts the names in order, once all are in.
    pub(super) fn sort(&mut self) {
        if self.sorted {
            return;
        }
        let text = &self.text;
        let key = |e: &Entry| &text[e.start as usize..(e.start + e.len) as usize];
        // Stable and run-aware: the names come in long sorted runs (a class's members).
        self.entries.sort_by(|a, b| key(a).cmp(key(b)));
        self.index.clear();
        let Names { index, entries, .. } = self;
        for (i, e) in entries.iter().enumerate() {
            index.insert_unique(e.hash, i as u32, |&j| entries[j as usize].hash);
        }
        self.sorted = true;
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get_index_of(&self, name: &str) -> Option<usize> {
        self.find(name, Self::hash(name))
    }

    pub fn get(&self, name: &str) -> Option<&Resolved<'a>> {
        self.get_index_of(name).map(|i| &self.entries[i].value)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get_index_of(name).is_some()
    }

    /// Whether the name is there and its module's `__all__` leaves it out.
    pub fn is_unlisted(&self, name: &str) -> bool {
        self.get_index_of(name)
            .is_some_and(|i| self.entries[i].unlisted)
    }

    pub fn get_index(&self, i: usize) -> Option<(&str, &Resolved<'a>)> {
        self.entries.get(i).map(|e| (self.name_of(e), &e.value))
    }

    pub(super) fn unlisted_at(&self, i: usize) -> bool {
        self.entries[i].unlisted
    }

    pub(super) fn inherited_at(&self, i: usize) -> bool {
        self.entries[i].inherited
    }

    pub fn iter(&self) -> Iter<'_, 'a> {
        Iter {
            names: self,
            entries: self.entries.iter(),
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.entries.iter().map(|e| self.name_of(e))
    }
}

impl<'a> std::ops::Index<&str> for Names<'a> {
    type Output = Resolved<'a>;

    fn index(&self, name: &str) -> &Resolved<'a> {
        match self.get(name) {
            Some(found) => found,
            None => panic!("`{name}` is not a public name of this surface"),
        }
    }
}

pub struct Iter<'s, 'a> {
    names: &'s Names<'a>,
    entries: std::slice::Iter<'s, Entry<'a>>,
}

impl<'s, 'a> Iterator for Iter<'s, 'a> {
    type Item = (&'s str, &'s Resolved<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let e = self.entries.next()?;
        Some((self.names.name_of(e), &e.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl<'s, 'a> IntoIterator for &'s Names<'a> {
    type Item = (&'s str, &'s Resolved<'a>);
    type IntoIter = Iter<'s, 'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_out_sorted_and_are_found_after_sorting() {
        let sym = Symbol::default();
        let mut names = Names::with_capacity(4, 32);
        assert!(names.insert_new("a.z", ("d1", &sym), false));
        assert!(names.insert_new("a.b", ("d2", &sym), true));
        assert!(
            !names.insert_new("a.z", ("d3", &sym), false),
            "a name is added once"
        );
        assert!(names.insert_new("a", ("d4", &sym), false));
        names.sort();
        assert_eq!(names.keys().collect::<Vec<_>>(), ["a", "a.b", "a.z"]);
        assert_eq!(names["a.z"].0, "d1", "the first record of a name stays");
        assert_eq!(names.get_index_of("a.b"), Some(1));
        assert!(names.is_unlisted("a.b") && !names.is_unlisted("a.z"));
        assert!(!names.is_unlisted("missing") && names.get("a.").is_none());
    }
}
