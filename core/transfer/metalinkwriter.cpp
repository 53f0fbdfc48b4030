#include "metalinkwriter.h"

#include <QXmlStreamWriter>

namespace starling::transfer {

namespace {

const QString kNamespace = QStringLiteral("urn:ietf:params:xml:ns:metalink");

// Characters XML 1.0 cannot carry or a download tool should not put in a file name.
bool isUnsafe(QChar c)
{
    return c.unicode() < 0x20 || c.unicode() == 0x7f || c.isNonCharacter() || c.isSurrogate() ||
           c == u'/' || c == u'\\';
}

// The whole file's hash and, when it has any, one hash per piece in file order.
void writeHashes(QXmlStreamWriter &xml, const TransferPlan &plan)
{
    xml.writeStartElement(kNamespace, QStringLiteral("hash"));
    xml.writeAttribute(QStringLiteral("type"), QStringLiteral("sha-256"));
    xml.writeCharacters(QString::fromLatin1(plan.sha256));
    xml.writeEndElement();
    if (plan.blocks.empty())
        return;
    xml.writeStartElement(kNamespace, QStringLiteral("pieces"));
    xml.writeAttribute(QStringLiteral("length"), QString::number(plan.pieceSize));
    xml.writeAttribute(QStringLiteral("type"), QStringLiteral("sha-256"));
    for (const PlanBlock &block : plan.blocks)
        xml.writeTextElement(kNamespace, QStringLiteral("hash"), QString::fromLatin1(block.sha256));
    xml.writeEndElement();
}

// One mirror per source; priority is its position in the plan (1 = lightest).
void writeUrls(QXmlStreamWriter &xml, const TransferPlan &plan)
{
    const QString filePath = QStringLiteral("/files/") + QString::fromLatin1(encodePath(plan.path));
    for (size_t i = 0; i < plan.sources.size(); ++i) {
        QUrl url = plan.sources[i].url;
        url.setPath(filePath, QUrl::TolerantMode);
        xml.writeStartElement(kNamespace, QStringLiteral("url"));
        xml.writeAttribute(QStringLiteral("priority"), QString::number(i + 1));
        xml.writeCharacters(QString::fromLatin1(url.toEncoded()));
        xml.writeEndElement();
    }
}

} // namespace

QString metalinkFileName(const QString &relativePath)
{
    const QString name = relativePath.section(u'/', -1);
    if (name.isEmpty() || name == u"." || name == u".." || name.size() > 255)
        return {};
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        // A valid surrogate pair is one character outside the BMP, which is fine.
        if (c.isHighSurrogate() && i + 1 < name.size() && name.at(i + 1).isLowSurrogate()) {
            const char32_t code = QChar::surrogateToUcs4(c, name.at(i + 1));
            if (QChar::isNonCharacter(code))
                return {};
            ++i;
            continue;
        }
        if (isUnsafe(c))
            return {};
    }
    return name;
}

Expected<QByteArray> writeMetalink(const TransferPlan &plan, const QDateTime &published,
                                   const QString &generator)
{
    const QString name = metalinkFileName(plan.path);
    if (name.isEmpty()) {
        return Error{QStringLiteral("\"%1\" has no name a Metalink client could save safely; "
                                    "rename it or fetch it with starling get")
                         .arg(plan.path.left(200)),
                     QStringLiteral("bad_name")};
    }
    if (plan.sources.empty() && plan.size > 0) {
        return Error{QStringLiteral("no slave can serve \"%1\" now").arg(plan.path),
                     QStringLiteral("no_source")};
    }
    const QDateTime when =
        published.isValid() ? published : QDateTime::fromMSecsSinceEpoch(plan.mtimeMs, Qt::UTC);

    QByteArray document;
    QXmlStreamWriter xml(&document);
    xml.setAutoFormatting(true);
    xml.setAutoFormattingIndent(2);
    xml.writeStartDocument();
    xml.writeDefaultNamespace(kNamespace);
    xml.writeStartElement(kNamespace, QStringLiteral("metalink"));
    xml.writeTextElement(kNamespace, QStringLiteral("generator"), generator);
    // RFC 3339 in UTC, whole seconds: "2026-11-22T10:00:00Z".
    xml.writeTextElement(kNamespace, QStringLiteral("published"),
                         when.toUTC().toString(Qt::ISODate));

    xml.writeStartElement(kNamespace, QStringLiteral("file"));
    xml.writeAttribute(QStringLiteral("name"), name);
    xml.writeTextElement(kNamespace, QStringLiteral("size"), QString::number(plan.size));
    writeHashes(xml, plan);
    writeUrls(xml, plan);
    xml.writeEndElement(); // file
    xml.writeEndElement(); // metalink
    xml.writeEndDocument();
    if (xml.hasError())
        return Error{QStringLiteral("cannot write the Metalink for \"%1\"").arg(plan.path),
                     QStringLiteral("io")};
    return document;
}

} // namespace starling::transfer
