#include "oneline.h"

namespace starling::util {

QString oneLine(const QString &text, int maxLength)
{
    QString line;
    for (const QChar c : text) {
        if (line.size() >= maxLength)
            break;
        line.append(c.isPrint() ? c : u' ');
    }
    return line.simplified();
}

} // namespace starling::util
