//! ISO/IEC 19794-4:2005 finger image records.
