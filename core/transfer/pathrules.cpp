#include "pathrules.h"

#include <QList>

namespace starling::transfer {

bool isCleanRelativePath(const QString &path)
{
    if (path.isEmpty() || path.size() > 4096 || path.contains(QChar(0)))
        return false;
    for (const QStringView segment : QStringView(path).split(u'/')) {
        if (segment.isEmpty() || segment == u"." || segment == u"..")
            return false;
    }
    return true;
}

bool isSha256Hex(const QString &text)
{
    if (text.size() != 64)
        return false;
    for (const QChar c : text) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    }
    return true;
}

} // namespace starling::transfer
