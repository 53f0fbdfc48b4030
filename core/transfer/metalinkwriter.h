#pragma once

#include "transfer/transferplan.h"
#include "util/expected.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace starling::transfer {

// A Metalink 4 document (RFC 5854) for the file of `plan`, so aria2c and other Metalink clients
// download it in parallel from the slaves and verify every piece:
//   <metalink xmlns="urn:ietf:params:xml:ns:metalink">
//     <generator>, <published> (the file's mtime unless given: the document describes that
//     version of the file), one <file name="BASE NAME">, its <size>, <hash type="sha-256">,
//     <pieces length="PIECE" type="sha-256"> with every piece's <hash>, and one
//     <url priority="N"> per source: SOURCE/files/<percent-encoded path>, N = 1 for the
//     plan's first source (the lightest, the planner lists them in load-rank order).
// The name is the path's last segment: refused ("bad_name") when a client could not save it
// safely (".", "..", '/', '\', control or non-characters). A non-empty file without sources is
// refused ("no_source"): a document without mirrors only fails later.
Expected<QByteArray> writeMetalink(const TransferPlan &plan, const QDateTime &published = {},
                                   const QString &generator = QStringLiteral("Starling"));

// The file name a Metalink for `relativePath` carries, or an empty string when it has none
// that is safe (see above).
QString metalinkFileName(const QString &relativePath);

} // namespace starling::transfer
