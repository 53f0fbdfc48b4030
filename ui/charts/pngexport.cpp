#include "pngexport.h"

#include <QCoreApplication>
#include <QPixmap>
#include <QWidget>

namespace starling::ui {

QString saveWidgetPng(QWidget *widget, QSize size, const QString &path)
{
    widget->resize(size);
    widget->ensurePolished();
    // Lay out without showing: charts size their plot area on the resize event.
    widget->setAttribute(Qt::WA_DontShowOnScreen);
    widget->show();
    QCoreApplication::processEvents();
    const QPixmap pixmap = widget->grab();
    widget->hide();
    if (pixmap.isNull())
        return QStringLiteral("could not render the chart");
    if (!pixmap.save(path, "PNG"))
        return QStringLiteral("%1: cannot write the PNG file").arg(path);
    return {};
}

} // namespace starling::ui
