/* task_tree.h -- kernels shared by the task tests: a spin of n steps of
 * work the compiler keeps, and a binary tree of tasks of a given depth
 * whose every node counts itself (2^(depth+1) - 1 nodes) and whose
 * leaves spin leaf_work steps, each node waiting for its children. */
#ifndef HSOMP_TEST_TASK_TREE_H
#define HSOMP_TEST_TASK_TREE_H

#include <stdatomic.h>

static void work(int n) {
  volatile int x = 0;
  for (int i = 0; i < n; i++)
    x += i;
}

static void tree(atomic_int *ran, int depth, int leaf_work) {
  atomic_fetch_add(ran, 1);
  if (depth == 0) {
    work(leaf_work);
    return;
  }
#pragma omp task shared(ran)
  tree(ran, depth - 1, leaf_work);
#pragma omp task shared(ran)
  tree(ran, depth - 1, leaf_work);
#pragma omp taskwait
}

#endif
