#pragma once

namespace starling::sched {

// Online fit of y = intercept + slope * x with exponential forgetting: every new observation
// multiplies the weight of the older ones by `forgetting`, so the fit follows a machine that
// changes. Kept as weighted, centred sufficient statistics (mean of x and y, co-moments), the
// information form of two-parameter recursive least squares: centring keeps the slope exact
// when every x is large and close together, where the textbook covariance update loses its
// digits. A non-finite input is refused; if the statistics ever turn non-finite the fit starts
// over (reset()) instead of carrying garbage.
class RecursiveLeastSquares
{
public:
    explicit RecursiveLeastSquares(double forgetting = 0.9);

    // Adds (x, y) with the given weight (> 0: a precision, relative to the other samples) as
    // `count` observations (0 < count <= 1; outliers count less). Returns false if the input was
    // refused.
    bool add(double x, double y, double weight = 1.0, double count = 1.0);
    void reset();
    // Every y seen so far times `factor` (> 0), weights divided by factor^2 (they are
    // 1/time^2 precisions): a machine that became `factor` times slower keeps the shape of its
    // history (sizes seen, the fixed part told from the rate) instead of starting over.
    void scaleY(double factor);

    // Weighted count after forgetting: how many recent observations the fit stands on.
    double effectiveSamples() const { return m_count; }
    double meanX() const { return m_meanX; }
    double meanY() const { return m_meanY; }
    // Coefficient of variation of x (standard deviation / mean): 0 when every x was the same,
    // so the intercept cannot be told from the slope.
    double spreadX() const;
    // Unconstrained least-squares slope and intercept; only meaningful when spreadX() > 0.
    double slope() const;
    double intercept() const;
    // Root mean square of the residuals of the unconstrained fit.
    double residualRms() const;
    // Least-squares slope of the line through the origin (y = slope * x).
    double slopeThroughOrigin() const;
    double forgetting() const { return m_forgetting; }

private:
    double m_forgetting;
    double m_weight = 0; // sum of forgotten weights
    double m_count = 0;  // sum of forgotten counts
    double m_meanX = 0;
    double m_meanY = 0;
    double m_cxx = 0; // weighted sum of (x - mean x)^2
    double m_cxy = 0;
    double m_cyy = 0;
};

} // namespace starling::sched
