//! Types that contain themselves: a field (or newtype) that holds, by value, a type from which
//! it can be reached again is boxed, so that every type has a finite size. `Vec`, maps and
//! union variants already hold their values behind a pointer.

use std::collections::BTreeMap;

use super::model::{Kind, Module, Ty};

/// Boxes every by-value edge that closes a cycle.
pub(crate) fn box_cycles(module: &mut Module) {
    for index in 0..module.items.len() {
        let owner = module.items[index].name.clone();
        let targets: Vec<(usize, String)> = by_value_edges(&module.items[index].kind);
        for (position, target) in targets {
            if reaches(module, &target, &owner) {
                box_edge(&mut module.items[index].kind, position);
            }
        }
    }
}

/// (position, named type) for each member held by value.
fn by_value_edges(kind: &Kind) -> Vec<(usize, String)> {
    match kind {
        Kind::Struct(structure) => structure
            .fields
            .iter()
            .enumerate()
            .filter_map(|(position, field)| Some((position, field.ty.held_by_value()?.to_owned())))
            .collect(),
        Kind::Newtype(newtype) => {
            newtype.inner.held_by_value().map(|name| vec![(0, name.to_owned())]).unwrap_or_default()
        }
        Kind::Alias(ty) => ty.held_by_value().map(|name| vec![(0, name.to_owned())]).unwrap_or_default(),
        Kind::Tuple(tuple) => tuple
            .positions
            .iter()
            .enumerate()
            .filter_map(|(position, ty)| Some((position, ty.held_by_value()?.to_owned())))
            .collect(),
        Kind::Literals(_) | Kind::Union(_) => Vec::new(),
    }
}

fn box_edge(kind: &mut Kind, position: usize) {
    let ty = match kind {
        Kind::Struct(structure) => &mut structure.fields[position].ty,
        Kind::Newtype(newtype) => &mut newtype.inner,
        Kind::Tuple(tuple) => &mut tuple.positions[position],
        Kind::Alias(_) | Kind::Literals(_) | Kind::Union(_) => return,
    };
    *ty = boxed(std::mem::replace(ty, Ty::Any));
}

/// `Option<T>` stays outside the box, so that `None` costs no allocation.
fn boxed(ty: Ty) -> Ty {
    match ty {
        Ty::Option(inner) => Ty::Option(Box::new(boxed(*inner))),
        other => Ty::Boxed(Box::new(other)),
    }
}

/// Whether `target` is reached from `from` through by-value edges.
fn reaches(module: &Module, from: &str, target: &str) -> bool {
    let kinds: BTreeMap<&str, &Kind> = module.items.iter().map(|item| (item.name.as_str(), &item.kind)).collect();
    let mut pending = vec![from.to_owned()];
    let mut seen = Vec::new();
    while let Some(name) = pending.pop() {
        if name == target {
            return true;
        }
        if seen.contains(&name) {
            continue;
        }
        if let Some(kind) = kinds.get(name.as_str()) {
            pending.extend(by_value_edges(kind).into_iter().map(|(_, next)| next));
        }
        seen.push(name);
    }
    false
}
