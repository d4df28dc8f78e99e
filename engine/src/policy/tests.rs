//! Policy evaluation over snapshots: match fields, parameters, inventory, libs, CEL and
//! the error cases, each with its negative control.
