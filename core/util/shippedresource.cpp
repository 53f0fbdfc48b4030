#include "shippedresource.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace starling::util {

QString findShippedResource(const QString &relative)
{
    const QDir here(QCoreApplication::applicationDirPath());
    for (const char *root : {"../../resources/", "../share/starling/"}) {
        const QString path = here.filePath(QLatin1String(root) + relative);
        if (QFileInfo::exists(path))
            return QDir::cleanPath(path);
    }
    return QString();
}

} // namespace starling::util
