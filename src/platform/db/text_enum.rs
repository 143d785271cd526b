//! Enums stored as text: a status or role column holds a lower-case word, and Rust code holds
//! the enum. [`text_enum!`] implements sqlx's `Type`, `Encode` and `Decode` for both backends
//! by way of `&str`, so the column stays plain `TEXT` (no database enum type, the same schema
//! on SQLite and PostgreSQL) and an unknown word in the database is a decode error, never a
//! silent default.

/// `text_enum!(Type)` for an enum with `fn as_str(self) -> &'static str` and
/// `fn parse(&str) -> Option<Self>`.
#[macro_export]
macro_rules! text_enum {
    ($ty:ty) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $ty
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $ty
        where
            &'q str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'q str as sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $ty
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let word = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                <$ty>::parse(word)
                    .ok_or_else(|| format!("{word:?} is not a {}", stringify!($ty)).into())
            }
        }
    };
}
